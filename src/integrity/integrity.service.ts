import { accessSync, constants } from 'node:fs';
import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import {
  IntegrityBusyError,
  IntegrityRefusedError,
  InvalidFieldError,
  NotFoundError,
} from '../common/domain-errors';
import { AppConfig } from '../config/app-config';
import type { IntegritySession } from '../database/repositories/integrity/integrity-session';
import { IntegrityChecksRepository } from '../database/repositories/integrity/integrity-checks.repository';
import {
  type IntegrityRun,
  IntegrityRunsRepository,
} from '../database/repositories/integrity/integrity-runs.repository';
import { evaluate, type Findings } from './integrity-result';
import { startVerify, type VerifyChild, type VerifyOutcome } from './verify-child';

/** Progress is written to the run's row at most this often. */
const PROGRESS_EVERY_MS = 1000;

/**
 * `GET /admin/integrity`: a read-only check of the live PostgreSQL, one at a time across replicas (the
 * IntegrityCheck lock, held by the check's own session). It answers at once with the running check;
 * the work goes on in the background and its progress and result land in integrity_runs.
 */
@Injectable()
export class IntegrityService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(IntegrityService.name);
  private running: Promise<void> | undefined;
  private verifying: VerifyChild | undefined;

  constructor(
    private readonly runs: IntegrityRunsRepository,
    private readonly checks: IntegrityChecksRepository,
    private readonly config: AppConfig,
  ) {}

  async start(source: string | undefined): Promise<IntegrityRun> {
    const target = this.checks.target();
    if (!target) {
      throw new IntegrityRefusedError('the integrity check reads PostgreSQL; this service runs on SQLite');
    }
    const sourcePath = source ?? this.config.integritySourcePath;
    if (sourcePath !== undefined) assertReadable(sourcePath, source !== undefined);
    const session = await this.checks.open(target.settings);
    try {
      if (!(await session.lock())) {
        const other = await this.runs.running();
        throw new IntegrityBusyError(
          `integrity check ${other?.id ?? '(starting)'} is running: see GET /admin/integrity/${other?.id ?? ':id'}`,
        );
      }
      // Holding the lock, a row still `running` belongs to a process that is gone.
      let run = await this.runs.start(sourcePath ?? null);
      if (!run) {
        await this.runs.abandonRunning('interrupted: the process running it stopped before it finished');
        run = await this.runs.start(sourcePath ?? null);
      }
      if (!run) throw new Error('integrity_runs refused a new running check');
      const started = run;
      this.running = this.execute(started, session, target.urlVariable, sourcePath).finally(() => {
        this.running = undefined;
      });
      return started;
    } catch (error) {
      await session.close();
      throw error;
    }
  }

  async find(id: number): Promise<IntegrityRun> {
    const run = await this.runs.find(id);
    if (!run) throw new NotFoundError('integrity check', id);
    return run;
  }

  /** A check cut short by shutdown is recorded `error`, not left `running`. */
  async beforeApplicationShutdown(): Promise<void> {
    this.verifying?.child.kill('SIGTERM');
    await this.running;
  }

  private async execute(
    run: IntegrityRun,
    session: IntegritySession,
    urlVariable: string,
    source: string | undefined,
  ): Promise<void> {
    const progress = this.progressWriter(run.id);
    try {
      const findings = await this.collect(session, progress);
      if (source !== undefined) {
        findings.verify = await this.verify(source, urlVariable, progress);
      }
      const result = evaluate(findings);
      await this.runs.finish(run.id, result.ok ? 'passed' : 'failed', result);
      this.logger.log(
        `integrity check ${run.id}: ${result.ok ? 'passed' : `failed: ${result.problems.join('; ')}`}`,
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error(`integrity check ${run.id} could not finish: ${message}`);
      await this.runs.finish(run.id, 'error', { error: message }).catch(() => undefined);
    } finally {
      await session.close();
    }
  }

  /** The checks without the source: foreign keys, sequences, tables and objects against the last migration. */
  private async collect(
    session: IntegritySession,
    progress: (p: Record<string, unknown>, force?: boolean) => Promise<void>,
  ): Promise<Findings> {
    await progress({ step: 'foreign keys' }, true);
    const foreignKeys = await session.foreignKeys();
    await progress({ step: 'sequences' }, true);
    const sequences = await session.sequences();
    const migration = await session.lastMigration();
    const tables: Findings['tables'] = [];
    const names = migration?.report.tables.map((t) => t.table) ?? [];
    for (const [i, table] of names.entries()) {
      await progress({ step: 'tables', table, done: i, total: names.length });
      tables.push({ table, now: await session.tableNow(table, migration?.runId ?? 0) });
    }
    const created = migration?.report.created ?? [];
    const existing = await session.existingObjects(created.map((c) => c.name));
    const missingObjects = created
      .filter((c) => !existing.has(c.name))
      .map((c) => ({ name: c.name, kind: c.kind, table: c.table }));
    return { migration, foreignKeys, sequences, tables, missingObjects };
  }

  private async verify(
    source: string,
    urlVariable: string,
    progress: (p: Record<string, unknown>, force?: boolean) => Promise<void>,
  ): Promise<VerifyOutcome> {
    await progress({ step: 'verify', source }, true);
    const env = { ...process.env, DATABASE_URL: process.env[urlVariable] };
    const child = startVerify(source, env, (line) => void progress({ step: 'verify', source, line }));
    this.verifying = child;
    try {
      return await child.done;
    } finally {
      this.verifying = undefined;
    }
  }

  private progressWriter(id: number): (p: Record<string, unknown>, force?: boolean) => Promise<void> {
    let last = 0;
    return async (p, force = false) => {
      if (!force && Date.now() - last < PROGRESS_EVERY_MS) return;
      last = Date.now();
      await this.runs.progress(id, p).catch(() => undefined);
    };
  }
}

function assertReadable(path: string, given: boolean): void {
  try {
    accessSync(path, constants.R_OK);
  } catch (error) {
    const how = given ? 'source' : 'INTEGRITY_SOURCE_PATH';
    throw new InvalidFieldError(
      'source',
      `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}), named by ${how}: give a readable SQLite file`,
    );
  }
}
