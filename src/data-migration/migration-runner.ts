import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import pg from 'pg';
import type { PostgresSettings } from '../config/app-config';
import { describePostgresTarget, maskSecrets } from '../config/database-url';
import { LockId } from '../database/advisory-lock';
import { pgConnectionConfig } from '../database/data-source-options';
import type {
  OnError,
  BadRow,
  OrphanIndex,
  MigrationPlan,
  NotCarried,
  PlannedTable,
  DdlStatement,
  Chunk,
} from './model/plan';
import { AbortedError, loadChunk } from './load/chunk-loader';
import { ThreadLoader } from './load/thread-loader';
import { BadRowError, describeBadRow } from './load/row-conversion';
import { buildPlan } from './plan/migration-plan';
import { Progress } from './report/progress';
import { formatSummary, type SummaryRow } from './report/summary-table';
import {
  createTableSql,
  foreignKeyStatements,
  postLoadStatements,
  translationContext,
  viewStatement,
} from './schema/ddl';
import { quoteIdent } from './schema/sql-tokens';
import { sha256File } from './source/file-hash';
import type {
  SourceSnapshot,
  SequenceState,
  TableDigest,
  TableVerification,
  TableReport,
  MigrationReport,
} from './model/report';
import { removeSnapshot, snapshotPathFor, takeSnapshot } from './source/snapshot';
import { orphansOf, startSourceCheck } from './source/source-checks';
import { openSource, planChunks, RawTextReader } from './source/source-reader';
import type { SourceSchema, TargetTable } from './model/catalog';
import { readSqliteSchema } from './source/sqlite-schema';
import { readTargetTables, tableHasRows } from './target/pg-catalog';
import {
  ensureStateTables,
  finishRun,
  latestRun,
  latestUnfinishedRun,
  readChunkStates,
  readRejects,
  readTableStates,
  rejectedRowids,
  setTableState,
  startRun,
  tablesCreatedByRuns,
  STATE_SCHEMA,
} from './target/run-state';
import { checkSequences, resetSequences } from './target/sequences';
import { READBACK_SESSION } from './verify/copy-digest';
import { verifySchema } from './verify/schema-verifier';
import {
  compareDigests,
  mergeDigests,
  orderKey,
  sourceDigest,
  targetDigest,
  targetRanges,
} from './verify/table-verifier';

export interface MigrateOptions {
  sourcePath: string;
  target: PostgresSettings;
  onError: OnError;
  reportPath: string;
  resume: boolean;
  resetTarget: boolean;
  dryRun: boolean;
  jobs: number;
  sourceZone?: string;
  skipTables: string[];
  /** Rows per chunk (one transaction each); also the unit --resume restarts from. */
  chunkRows: number;
  verify: boolean;
  /** Load on worker threads (default when the compiled worker script is present). */
  threads?: boolean;
  /** Progress and summary output; silent when undefined. */
  out?: NodeJS.WriteStream;
}

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly badRow?: BadRow,
  ) {
    super(message);
  }
}

const BOOKKEEPING_TABLES = ['data_migration_runs'];
// The app's schema-migration history: the target keeps its own (it describes the PostgreSQL schema).
const SCHEMA_HISTORY_TABLES = ['schema_migrations'];

/** One migration (or verification) run: preflight, schema, copy, post-load DDL, verification, report. */
export class MigrationRunner {
  private client: pg.Client | undefined;
  private db: Database.Database | undefined;
  private raw: RawTextReader | undefined;
  /** The snapshot of the source this run reads: every reader opens this file, never the source. */
  private snapshot: (SourceSnapshot & { resumed: boolean; kept: boolean }) | undefined;
  private readonly report: MigrationReport;
  private readonly progress: Progress | undefined;
  private runId: string | undefined;
  private locked = false;
  /** Source digests of the chunks this run loaded, computed by the load from the rows it read. */
  private readonly loadDigests = new Map<string, Map<number, TableDigest>>();
  /** The source's hash taken once the load has read every row, overlapping the index builds. */
  private hashAfter: Promise<string> | undefined;

  constructor(private readonly o: MigrateOptions) {
    this.progress = o.out ? new Progress(o.out) : undefined;
    this.report = {
      command: 'migrate',
      status: 'failed',
      exitCode: 1,
      startedAt: new Date().toISOString(),
      source: { path: resolve(o.sourcePath) },
      target: describePostgresTarget(o.target),
      options: {
        onError: o.onError,
        resume: o.resume,
        resetTarget: o.resetTarget,
        dryRun: o.dryRun,
        jobs: o.jobs,
        sourceTimezone: o.sourceZone ?? 'UTC',
        skipTables: o.skipTables,
        chunkRows: o.chunkRows,
      },
      preflight: { warnings: [] },
      tables: [],
      created: [],
      notCarried: [],
      sequences: [],
      timings: {},
    };
  }

  async migrate(): Promise<MigrationReport> {
    const started = Date.now();
    try {
      const { schema, plan, orphans } = await this.preflightAndPlan('migrate');
      if (this.o.dryRun) {
        this.printDryRun(plan);
        this.report.status = 'dry-run';
        this.report.exitCode = 0;
        return this.report;
      }
      const client = this.pg();
      if (!this.runId) await this.dropAbandonedSnapshot();
      this.runId ??= await startRun(
        client,
        resolve(this.o.sourcePath),
        this.report.source.sha256 ?? '',
        this.snapshot,
      );
      this.report.runId = this.runId;
      await this.createTables(plan);
      const t0 = Date.now();
      await this.loadAll(plan, orphans);
      this.report.timings.loadSeconds = (Date.now() - t0) / 1000;
      const t1 = Date.now();
      await this.finishSchema(plan, schema);
      this.report.timings.constraintsSeconds = (Date.now() - t1) / 1000;
      this.report.notCarried.push(...plan.notCarried);
      this.report.timings.migrateSeconds = (Date.now() - started) / 1000;
      let verified: boolean | null = null;
      if (this.o.verify) verified = await this.verify(plan);
      await this.writeRejects(plan);
      const rejected = this.report.tables.reduce((n, t) => n + t.rowsRejected, 0);
      if (verified === false)
        throw new MigrationError('verification found differences between source and target (see the report)');
      this.report.status = rejected > 0 ? 'rejected' : 'succeeded';
      this.report.exitCode = rejected > 0 ? 3 : 0;
    } catch (error) {
      this.fail(error);
    } finally {
      this.report.timings.totalSeconds = (Date.now() - started) / 1000;
      await this.finish();
    }
    return this.report;
  }

  /** `verify` alone: re-runs verification of the latest run against the target. */
  async verifyOnly(): Promise<MigrationReport> {
    this.report.command = 'verify';
    const started = Date.now();
    try {
      const { plan } = await this.preflightAndPlan('verify');
      const last = await latestRun(this.pg());
      this.runId = last?.id;
      const states = this.runId
        ? await readChunkStates(this.pg(), this.runId)
        : new Map<string, Map<number, { rowsWritten: number; rowsRejected: number }>>();
      for (const t of plan.tables) {
        const chunks = [...(states.get(t.source.name)?.values() ?? [])];
        this.report.tables.push({
          table: t.name,
          created: !t.exists,
          rowsRead: chunks.reduce((n, c) => n + c.rowsWritten + c.rowsRejected, 0),
          rowsWritten: chunks.reduce((n, c) => n + c.rowsWritten, 0),
          rowsRejected: chunks.reduce((n, c) => n + c.rowsRejected, 0),
          seconds: 0,
          verified: null,
        });
      }
      const catalog = await readTargetTables(this.pg());
      this.report.sequences = await this.currentSequences(plan, catalog);
      const ok = await this.verify(plan, true);
      this.report.status = ok ? 'succeeded' : 'failed';
      this.report.exitCode = ok ? 0 : 1;
      if (!ok) this.report.failure = { message: 'verification found differences between source and target' };
    } catch (error) {
      this.fail(error);
    } finally {
      this.report.timings.totalSeconds = (Date.now() - started) / 1000;
      await this.close();
      this.writeReport();
      this.printSummary();
    }
    return this.report;
  }

  private pg(): pg.Client {
    if (!this.client) throw new Error('not connected');
    return this.client;
  }

  private source(): Database.Database {
    if (!this.db) throw new Error('source not open');
    return this.db;
  }

  /** The file every reader of this run opens: the snapshot. */
  private readPath(): string {
    if (!this.snapshot) throw new Error('no snapshot of the source taken');
    return this.snapshot.path;
  }

  private rawReader(): RawTextReader {
    this.raw ??= new RawTextReader(this.readPath());
    return this.raw;
  }

  private say(text: string): void {
    this.progress?.line(text);
  }

  private async preflightAndPlan(
    command: 'migrate' | 'verify',
  ): Promise<{ schema: SourceSchema; plan: MigrationPlan; orphans: OrphanIndex }> {
    const t0 = Date.now();
    await this.connectTarget(command);
    await this.useSnapshot(command);
    // The snapshot's hash runs on its own thread while the checks below read it.
    const sha256 = sha256File(this.readPath());
    try {
      return await this.checkAndPlan(command, sha256, t0);
    } finally {
      this.report.source.sha256 ??= await sha256.catch(() => undefined);
    }
  }

  /** Connects to the target, checks its version and, for `migrate`, takes the advisory lock. */
  private async connectTarget(command: 'migrate' | 'verify'): Promise<void> {
    this.client = new pg.Client(pgConnectionConfig(this.o.target, 'pgmove-migrate'));
    this.client.on('error', () => undefined);
    try {
      await this.client.connect();
    } catch (error) {
      throw new MigrationError(
        maskSecrets(
          `cannot connect to PostgreSQL at ${describePostgresTarget(this.o.target)}: ${(error as Error).message}`,
        ),
      );
    }
    const client = this.client;
    const { rows: ver } = await client.query<{ v: string; n: string }>(
      `SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n`,
    );
    this.report.preflight.serverVersion = ver[0]?.v;
    if (Number(ver[0]?.n ?? 0) < 160000) {
      this.report.preflight.warnings.push(
        `PostgreSQL ${ver[0]?.v ?? '?'} is older than 16, the version this tool is tested with`,
      );
      this.say(`warning: ${this.report.preflight.warnings.at(-1) ?? ''}`);
    }
    if (command === 'migrate') {
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [
        LockId.DataMigration,
      ]);
      if (!rows[0]?.ok)
        throw new MigrationError(
          'another migration into this database is running (advisory lock held); wait for it to finish',
        );
      this.locked = true;
    }
  }

  /**
   * Every reader of the run opens one snapshot of the source, so the copy and its verification are
   * of one state however other processes write to the source. `--resume` reads the snapshot the
   * interrupted run took (and kept), so the resumed chunks come from the same state as the others.
   */
  private async useSnapshot(command: 'migrate' | 'verify'): Promise<void> {
    if (command === 'migrate' && this.o.resume && !this.o.dryRun) {
      await ensureStateTables(this.pg());
      const last = await latestUnfinishedRun(this.pg());
      if (!last)
        throw new MigrationError('--resume: no interrupted or failed migration run on this target to resume');
      const kept = last.snapshot;
      if (!kept?.path || !existsSync(kept.path))
        throw new MigrationError(
          `--resume: the snapshot of the source that run ${last.id} read${kept?.path ? ` (${kept.path})` : ''} is gone, so the rest cannot be copied from the same state; start again with --reset-target`,
        );
      this.snapshot = { ...kept, resumed: true, kept: true };
      this.say(`resuming from the snapshot taken at ${kept.takenAt}: ${kept.path}`);
      this.report.source.snapshot = this.snapshot;
      return;
    }
    const snapshot = await takeSnapshot(this.o.sourcePath, snapshotPathFor(this.o.reportPath)).catch(
      (error: unknown) => {
        throw new MigrationError((error as Error).message);
      },
    );
    this.snapshot = { ...snapshot, resumed: false, kept: false };
    this.report.source.snapshot = this.snapshot;
    this.say(
      `snapshot of the source taken (${snapshot.method}, ${snapshot.journalMode} mode, ${snapshot.seconds.toFixed(2)}s): ${snapshot.path}`,
    );
  }

  private async checkAndPlan(
    command: 'migrate' | 'verify',
    sha256: Promise<string>,
    t0: number,
  ): Promise<{ schema: SourceSchema; plan: MigrationPlan; orphans: OrphanIndex }> {
    // The integrity check and the orphan search each read the whole file: on their own threads they
    // overlap each other, the hash and the set-up below. Nothing in the target changes before the
    // integrity check has passed.
    const integrity = startSourceCheck({ check: 'integrity', path: this.readPath() });
    integrity.catch(() => undefined);
    const assertSound = async (): Promise<void> => {
      const check = await integrity.catch((error: unknown) =>
        error instanceof Error ? error.message : String(error),
      );
      this.report.preflight.quickCheck = check;
      if (check !== 'ok')
        throw new MigrationError(`source ${this.o.sourcePath} fails PRAGMA quick_check: ${check}`);
    };
    this.db = openSource(this.readPath());
    let schema: SourceSchema;
    try {
      schema = readSqliteSchema(this.db);
    } catch (error) {
      await assertSound();
      throw error;
    }
    const orphanSearch = startSourceCheck({ check: 'orphans', path: this.readPath(), schema });
    orphanSearch.catch(() => undefined);
    const client = this.pg();
    await assertSound();
    if (command === 'migrate' && !this.o.dryRun) await ensureStateTables(client);

    let catalog = await readTargetTables(client);
    const skip = [...this.o.skipTables, ...BOOKKEEPING_TABLES];
    for (const name of SCHEMA_HISTORY_TABLES) if (catalog.has(name)) skip.push(name);
    const previousCreated =
      command === 'migrate' && !this.o.dryRun ? await tablesCreatedByRuns(client) : new Set<string>();

    if (command === 'migrate' && !this.o.dryRun) {
      if (this.o.resume) {
        const last = await latestUnfinishedRun(client);
        if (!last)
          throw new MigrationError(
            '--resume: no interrupted or failed migration run on this target to resume',
          );
        this.report.source.sha256 = await sha256;
        if (last.source_sha256 !== this.report.source.sha256) {
          throw new MigrationError(
            `--resume: the snapshot ${this.readPath()} kept by the interrupted run changed since (sha256 differs); start again with --reset-target`,
          );
        }
        this.runId = last.id;
        await client.query(
          `UPDATE data_migration_runs SET status = 'running', finished_at = NULL WHERE id = $1`,
          [last.id],
        );
        this.say(`resuming run ${last.id}`);
      } else {
        const planned = buildPlan(this.source(), schema, catalog, {
          sourceZone: this.o.sourceZone,
          skipTables: skip,
        });
        if (this.o.resetTarget) {
          await this.resetTarget(planned, schema, previousCreated, catalog);
        } else {
          const nonEmpty: string[] = [];
          for (const t of planned.tables.filter((x) => x.exists)) {
            if (await tableHasRows(client, quoteIdent(t.name))) nonEmpty.push(t.name);
          }
          if (nonEmpty.length > 0) {
            throw new MigrationError(
              `target tables are not empty: ${nonEmpty.map((n) => `"${n}"`).join(', ')}. Use --resume to finish an interrupted run or --reset-target to empty them first`,
            );
          }
          // Empty tables left by an earlier failed run of this tool are rebuilt from scratch.
          const stale = planned.tables.filter((t) => t.exists && previousCreated.has(t.name));
          if (stale.length > 0)
            await client.query(
              `DROP TABLE IF EXISTS ${stale.map((t) => quoteIdent(t.name)).join(', ')} CASCADE`,
            );
        }
        catalog = await readTargetTables(client);
      }
    }

    const plan = buildPlan(this.source(), schema, catalog, {
      sourceZone: this.o.sourceZone,
      skipTables: skip,
    });
    // Tables this tool created earlier in the same run (resume) are finished like created ones.
    const createdHere = this.runId
      ? await readTableStates(client, this.runId)
      : new Map<string, { created: boolean }>();
    for (const t of plan.tables) {
      if (createdHere.get(t.name)?.created || (command === 'verify' && previousCreated.has(t.name)))
        t.exists = false;
    }
    if (command === 'verify') {
      const all = await tablesCreatedByRunsSafe(client);
      for (const t of plan.tables) if (all.has(t.name)) t.exists = false;
    }
    if (plan.problems.length > 0)
      throw new MigrationError(`the schema cannot be migrated:\n  - ${plan.problems.join('\n  - ')}`);

    const { index: orphans, count } = orphansOf(
      await orphanSearch,
      new Set(plan.tables.map((t) => t.source.name)),
    );
    this.report.preflight.foreignKeyOrphans = count;
    if (count > 0 && command === 'migrate') {
      const first = [...orphans.entries()][0];
      const [rowid, info] = first ? ([...first[1].entries()][0] ?? ['?', undefined]) : ['?', undefined];
      const message = `${count} foreign-key orphan row(s) in the source; first: table "${first?.[0] ?? '?'}", rowid ${rowid}, column "${info?.column ?? '?'}": ${info?.reason ?? ''}`;
      if (this.o.onError === 'stop') {
        throw new MigrationError(`${message}. Fix the source or run with --on-error reject`);
      }
      this.say(`warning: ${message}; those rows will be rejected`);
    }
    this.report.source.sha256 = await sha256;
    this.report.timings.preflightSeconds = (Date.now() - t0) / 1000;
    return { schema, plan, orphans };
  }

  private async resetTarget(
    plan: MigrationPlan,
    schema: SourceSchema,
    previousCreated: Set<string>,
    catalog: Map<string, TargetTable>,
  ): Promise<void> {
    const client = this.pg();
    for (const v of schema.views) await client.query(`DROP VIEW IF EXISTS ${quoteIdent(v.name)} CASCADE`);
    const ours = plan.tables
      .filter((t) => t.exists && previousCreated.has(t.name))
      .map((t) => quoteIdent(t.name));
    const theirs = plan.tables
      .filter((t) => t.exists && !previousCreated.has(t.name) && catalog.has(t.name))
      .map((t) => quoteIdent(t.name));
    if (ours.length > 0) await client.query(`DROP TABLE IF EXISTS ${ours.join(', ')} CASCADE`);
    if (theirs.length > 0) await client.query(`TRUNCATE ${theirs.join(', ')}`);
    this.say(
      `--reset-target: dropped ${ours.length} table(s) created by earlier runs, emptied ${theirs.length} existing table(s)`,
    );
  }

  private async createTables(plan: MigrationPlan): Promise<void> {
    const client = this.pg();
    const runId = this.runId ?? '';
    const states = await readTableStates(client, runId);
    for (const t of plan.tables) {
      if (states.has(t.name)) continue;
      await client.query('BEGIN');
      try {
        if (!t.exists) await client.query(createTableSql(t));
        await setTableState(client, runId, t.name, !t.exists, 'loading');
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new MigrationError(`cannot create table "${t.name}": ${(error as Error).message}`);
      }
    }
  }

  private async loadAll(plan: MigrationPlan, orphans: OrphanIndex): Promise<void> {
    const client = this.pg();
    const runId = this.runId ?? '';
    const chunkStates = await readChunkStates(client, runId);
    const tableStates = await readTableStates(client, runId);
    const ctx = translationContext(plan.tables, []);
    type Task = { table: PlannedTable; chunk: Chunk | null };
    const tasks: Task[] = [];
    const pending = new Map<string, number>();
    const totals = new Map<string, number>();
    const finished = new Set<string>();
    const tableReports = new Map<string, TableReport>();
    const startedAt = new Map<string, number>();

    for (const t of plan.tables) {
      const done =
        chunkStates.get(t.source.name) ?? new Map<number, { rowsWritten: number; rowsRejected: number }>();
      const report: TableReport = {
        table: t.name,
        created: !t.exists,
        rowsRead: 0,
        rowsWritten: 0,
        rowsRejected: 0,
        seconds: 0,
        verified: null,
      };
      for (const c of done.values()) {
        report.rowsWritten += c.rowsWritten;
        report.rowsRejected += c.rowsRejected;
        report.rowsRead += c.rowsWritten + c.rowsRejected;
      }
      tableReports.set(t.name, report);
      this.report.tables.push(report);
      if (tableStates.get(t.name)?.status === 'finished') {
        finished.add(t.name);
        continue;
      }
      const chunks = planChunks(this.source(), t, this.o.chunkRows).filter((c) => !done.has(c.index));
      totals.set(
        t.source.name,
        chunks.reduce((n, c) => n + c.rows, 0),
      );
      pending.set(t.name, chunks.length);
      if (chunks.length === 0) tasks.push({ table: t, chunk: null });
      for (const c of chunks) tasks.push({ table: t, chunk: c });
    }
    let chunksToRead = tasks.filter((task) => task.chunk).length;
    const chunkRead = (): void => {
      if (--chunksToRead > 0) return;
      this.hashAfter = sha256File(this.readPath());
      this.hashAfter.catch(() => undefined);
    };
    // Bigger tables first keeps every job busy until the end.
    tasks.sort((a, b) => (totals.get(b.table.source.name) ?? 0) - (totals.get(a.table.source.name) ?? 0));

    const planned = new Set(plan.tables.map((t) => t.name));
    const ready = (t: PlannedTable): boolean =>
      t.parents.every((p) => !planned.has(p) || finished.has(p) || p === t.name);
    let failure: unknown;
    const waiters: (() => void)[] = [];
    const threads: ThreadLoader[] = [];
    const wake = (): void => {
      for (const w of waiters.splice(0)) w();
    };
    this.progress?.start(totals);

    const postLoad = async (c: pg.Client, t: PlannedTable): Promise<void> => {
      if (!t.exists) {
        for (const s of postLoadStatements(t, ctx, plan.notCarried)) await this.runDdl(c, s, plan.notCarried);
      }
      await setTableState(c, runId, t.name, !t.exists, 'finished');
      finished.add(t.name);
      const r = tableReports.get(t.name);
      if (r) {
        r.seconds = (Date.now() - (startedAt.get(t.name) ?? Date.now())) / 1000;
        this.say(
          `${t.name}: ${r.rowsWritten} rows written${r.rowsRejected ? `, ${r.rowsRejected} rejected` : ''} (${r.seconds.toFixed(2)}s)`,
        );
      }
      wake();
    };

    const worker = async (): Promise<void> => {
      const c = new pg.Client(pgConnectionConfig(this.o.target, 'pgmove-migrate'));
      c.on('error', () => undefined);
      await c.connect();
      // Each chunk's commit carries its state row, so a lost commit loses both together.
      await c.query('SET synchronous_commit = off');
      await c.query(`SET maintenance_work_mem = '256MB'`);
      const script = this.o.threads === false ? undefined : workerScript();
      const thread = script
        ? new ThreadLoader(script, {
            sourcePath: this.readPath(),
            target: this.o.target,
            runId,
            onError: this.o.onError,
            sourceZone: this.o.sourceZone,
          })
        : undefined;
      if (thread) threads.push(thread);
      const db = thread ? undefined : openSource(this.readPath());
      try {
        for (;;) {
          if (failure !== undefined) return;
          const i = tasks.findIndex((task) => ready(task.table));
          if (i < 0) {
            if (tasks.length === 0) return;
            await new Promise<void>((r) => waiters.push(r));
            continue;
          }
          const [task] = tasks.splice(i, 1);
          if (!task) continue;
          const t = task.table;
          if (!startedAt.has(t.name)) startedAt.set(t.name, Date.now());
          if (task.chunk) {
            const result = thread
              ? await thread.load(
                  t,
                  task.chunk,
                  orphans,
                  (n) => this.progress?.add(t.source.name, n),
                  this.o.verify,
                )
              : await loadChunk(
                  {
                    client: c,
                    db: db ?? this.source(),
                    raw: this.rawReader(),
                    runId,
                    onError: this.o.onError,
                    orphans,
                    onRows: (table, n) => this.progress?.add(table, n),
                    aborted: () => failure !== undefined,
                    digest: this.o.verify,
                  },
                  t,
                  task.chunk,
                );
            chunkRead();
            if (result.digest) {
              const byChunk = this.loadDigests.get(t.name) ?? new Map<number, TableDigest>();
              byChunk.set(task.chunk.index, result.digest);
              this.loadDigests.set(t.name, byChunk);
            }
            const r = tableReports.get(t.name);
            if (r) {
              r.rowsWritten += result.written;
              r.rowsRejected += result.rejected;
              r.rowsRead += result.written + result.rejected;
            }
            const left = (pending.get(t.name) ?? 1) - 1;
            pending.set(t.name, left);
            if (left > 0) continue;
          }
          await postLoad(c, t);
        }
      } catch (error) {
        if (failure === undefined || (failure instanceof AbortedError && !(error instanceof AbortedError)))
          failure = error;
        for (const other of threads) other.abort();
        wake();
      } finally {
        db?.close();
        await thread?.close();
        await c.end().catch(() => undefined);
      }
    };

    const jobs = Math.max(1, Math.min(this.o.jobs, tasks.length || 1));
    await Promise.all(Array.from({ length: jobs }, () => worker()));
    this.progress?.stop();
    if (failure !== undefined) {
      await this.emptyUnfinished(plan, finished);
      if (failure instanceof BadRowError)
        throw new MigrationError(`bad data: ${failure.message}`, failure.bad);
      throw failure instanceof Error ? failure : new Error(`load failed: ${JSON.stringify(failure)}`);
    }
  }

  /** After a stop, a table is either complete or empty: partly loaded tables are emptied. */
  private async emptyUnfinished(plan: MigrationPlan, finished: Set<string>): Promise<void> {
    const client = this.pg();
    const unfinished = plan.tables.filter((t) => !finished.has(t.name));
    if (unfinished.length === 0) return;
    await client.query('BEGIN');
    await client.query(`TRUNCATE ${unfinished.map((t) => quoteIdent(t.name)).join(', ')}`);
    await client.query(`DELETE FROM ${STATE_SCHEMA}.chunks WHERE run_id = $1 AND table_name = ANY($2)`, [
      this.runId,
      unfinished.map((t) => t.source.name),
    ]);
    await client.query(`DELETE FROM ${STATE_SCHEMA}.rejects WHERE run_id = $1 AND table_name = ANY($2)`, [
      this.runId,
      unfinished.map((t) => t.source.name),
    ]);
    await client.query('COMMIT');
    for (const r of this.report.tables) {
      if (unfinished.some((t) => t.name === r.table)) {
        r.rowsWritten = 0;
        r.rowsRejected = 0;
      }
    }
  }

  /**
   * Runs one DDL statement. Keys, unique indexes and foreign keys must hold (a failure fails the
   * run); an index, CHECK or view PostgreSQL refuses is listed as not carried over.
   */
  private async runDdl(client: pg.Client, s: DdlStatement, notCarried: NotCarried[]): Promise<boolean> {
    if (await this.ddlExists(client, s)) {
      this.report.created.push(s);
      return true;
    }
    try {
      await client.query(s.sql);
      this.report.created.push(s);
      return true;
    } catch (error) {
      const message = (error as Error).message;
      if (s.kind === 'primary key' || s.kind === 'unique' || s.kind === 'foreign key') {
        throw new MigrationError(`cannot add ${s.kind} "${s.name}" on "${s.table}": ${message}`);
      }
      notCarried.push({
        object: `${s.table}: ${s.name}`,
        kind: s.kind,
        reason: `PostgreSQL refused ${s.sql}: ${message}`,
      });
      return false;
    }
  }

  private async ddlExists(client: pg.Client, s: DdlStatement): Promise<boolean> {
    if (s.kind === 'view') return false;
    const { rows } = await client.query<{ found: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
                       WHERE n.nspname = current_schema() AND t.relname = $1 AND k.conname = $2)
           OR EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                       WHERE n.nspname = current_schema() AND c.relname = $2 AND c.relkind = 'i') AS found`,
      [s.table, s.name],
    );
    return rows[0]?.found ?? false;
  }

  private async finishSchema(plan: MigrationPlan, schema: SourceSchema): Promise<void> {
    const client = this.pg();
    const fks = foreignKeyStatements(plan.tables, plan.notCarried);
    if (this.o.onError === 'reject') await this.rejectChildrenOfRejectedRows(plan, fks);
    for (const s of fks) await this.runDdl(client, s, plan.notCarried);
    const ctx = translationContext(plan.tables, schema.views);
    let remaining = schema.views.map((v) => ({ v, error: '' }));
    // Views may depend on each other: retry until no more can be created.
    for (let progress = true; progress && remaining.length > 0;) {
      progress = false;
      const next: typeof remaining = [];
      for (const item of remaining) {
        let statement: DdlStatement;
        try {
          statement = viewStatement(item.v, ctx);
        } catch (error) {
          plan.notCarried.push({ object: item.v.name, kind: 'view', reason: (error as Error).message });
          continue;
        }
        try {
          await client.query(statement.sql);
          this.report.created.push(statement);
          progress = true;
        } catch (error) {
          next.push({
            v: item.v,
            error: `PostgreSQL refused the translated view: ${(error as Error).message}`,
          });
        }
      }
      remaining = next;
    }
    for (const item of remaining)
      plan.notCarried.push({ object: item.v.name, kind: 'view', reason: item.error });
    const catalog = await readTargetTables(client);
    this.report.sequences = await resetSequences(client, plan.tables, catalog);
  }

  /**
   * Under --on-error reject a rejected parent row leaves its children pointing nowhere. They are
   * rejected too (moved to the reject file with the reason), level by level, before the foreign keys
   * are added, so the keys hold and every row is accounted for.
   */
  private async rejectChildrenOfRejectedRows(plan: MigrationPlan, fks: DdlStatement[]): Promise<void> {
    const client = this.pg();
    for (let moved = true; moved;) {
      moved = false;
      for (const s of fks) {
        const fk = s.foreignKey;
        const t = plan.tables.find((x) => x.name === s.table);
        if (!fk || !t) continue;
        const child = quoteIdent(t.name);
        const notNull = fk.from.map((c) => `c.${quoteIdent(c)} IS NOT NULL`).join(' AND ');
        const match = fk.from
          .map((c, i) => `p.${quoteIdent(fk.to[i] ?? '')} = c.${quoteIdent(c)}`)
          .join(' AND ');
        const alias = t.columns.find((c) => c.source.name === t.source.rowidAlias);
        const rowid = alias ? `(gone.${quoteIdent(alias.name)})::text` : 'NULL';
        await client.query('BEGIN');
        try {
          const { rows } = await client.query<{ rowid: string | null; values: string }>(
            `WITH gone AS (DELETE FROM ${child} c WHERE ${notNull} AND NOT EXISTS (SELECT 1 FROM ${quoteIdent(fk.parent)} p WHERE ${match}) RETURNING c.*)
             SELECT ${rowid} AS rowid, to_jsonb(gone.*)::text AS values FROM gone`,
          );
          if (rows.length > 0) {
            const records = rows.map((r) =>
              JSON.stringify({
                table: t.source.name,
                rowid: r.rowid,
                key: null,
                column: fk.from[0],
                reason: `foreign key orphan: its parent row in "${fk.parent}" was rejected`,
                preview: '',
                values: JSON.parse(r.values) as unknown,
              }),
            );
            await client.query(
              `INSERT INTO ${STATE_SCHEMA}.rejects (run_id, table_name, chunk, rowid, record)
               SELECT $1, $2, -1, r.rowid, r.record FROM unnest($3::bigint[], $4::text[]) AS r(rowid, record)`,
              [this.runId, t.source.name, rows.map((r) => r.rowid), records],
            );
            const report = this.report.tables.find((x) => x.table === t.name);
            if (report) {
              report.rowsWritten -= rows.length;
              report.rowsRejected += rows.length;
            }
            this.say(
              `${t.name}: ${rows.length} row(s) rejected because their parent row in "${fk.parent}" was rejected`,
            );
            moved = true;
          }
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      }
    }
  }

  private async currentSequences(
    plan: MigrationPlan,
    catalog: Map<string, TargetTable>,
  ): Promise<SequenceState[]> {
    const out: SequenceState[] = [];
    for (const t of plan.tables) {
      for (const col of catalog.get(t.name)?.columns ?? []) {
        if (!col.sequence) continue;
        const planned = t.columns.find((c) => c.name === col.name);
        const seq = planned && t.source.rowidAlias === planned.source.name ? (t.source.sequence ?? 0n) : 0n;
        const { rows } = await this.pg().query<{ high: string }>(
          `SELECT GREATEST(coalesce(max(${quoteIdent(col.name)})::numeric, 0), $1::numeric)::text AS high FROM ${quoteIdent(t.name)}`,
          [seq.toString()],
        );
        out.push({
          table: t.name,
          column: col.name,
          sequence: col.sequence,
          highWater: rows[0]?.high ?? '0',
          nextValue: '',
        });
      }
    }
    return out;
  }

  private async verify(plan: MigrationPlan, standalone = false): Promise<boolean> {
    const t0 = Date.now();
    const client = this.pg();
    const results: TableVerification[] = [];
    const rejected = new Map<string, Set<string>>();
    for (const t of plan.tables) {
      rejected.set(t.name, this.runId ? await rejectedRowids(client, this.runId, t.source.name) : new Set());
    }
    // The source half is split into the load's rowid chunks, spread over the jobs' threads.
    const chunksOf = new Map(
      plan.tables.map((t) => [t.name, planChunks(this.source(), t, this.o.chunkRows)]),
    );
    // Chunks this run loaded already have their source digest, computed by the load from the rows it
    // read, unless rows of the table were rejected (children of rejected rows leave after the load).
    const sourceParts = new Map<string, TableDigest[]>();
    const tasks = plan.tables.flatMap((t) => {
      const known =
        standalone || (rejected.get(t.name)?.size ?? 0) > 0 ? undefined : this.loadDigests.get(t.name);
      return (chunksOf.get(t.name) ?? []).flatMap((chunk) => {
        const digest = known?.get(chunk.index);
        if (!digest) return [{ t, chunk }];
        sourceParts.set(t.name, [...(sourceParts.get(t.name) ?? []), digest]);
        return [];
      });
    });
    tasks.sort((a, b) => b.chunk.rows - a.chunk.rows);
    const started = new Map<string, number>();
    // The target half: the stored rows read back as COPY text, per table or per chunk for ordered
    // digests, run meanwhile on its own connection (on one per job when the load already computed the
    // source half), then each table's ranges.
    const targetTasks = plan.tables.flatMap((t) =>
      orderKey(t)
        ? (chunksOf.get(t.name) ?? []).map((chunk): { t: PlannedTable; chunk: Chunk | undefined } => ({
            t,
            chunk,
          }))
        : [{ t, chunk: undefined as Chunk | undefined }],
    );
    const targetParts = new Map<string, TableDigest[]>();
    const targetJob = async (): Promise<void> => {
      const c = new pg.Client(pgConnectionConfig(this.o.target, 'pgmove-verify'));
      c.on('error', () => undefined);
      await c.connect();
      try {
        await c.query(READBACK_SESSION);
        for (let task = targetTasks.shift(); task; task = targetTasks.shift()) {
          const digest = await targetDigest(c, task.t, task.chunk);
          targetParts.set(task.t.name, [...(targetParts.get(task.t.name) ?? []), digest]);
        }
      } finally {
        await c.end().catch(() => undefined);
      }
    };
    const targetJobs = tasks.length === 0 ? Math.max(1, Math.min(this.o.jobs, targetTasks.length)) : 1;
    const targetSide = Promise.all(Array.from({ length: targetJobs }, () => targetJob())).then(async () => {
      const merged = new Map<string, TableDigest>();
      for (const t of plan.tables) {
        merged.set(t.name, {
          ...mergeDigests(targetParts.get(t.name) ?? []),
          ...(await targetRanges(client, t)),
        });
      }
      return merged;
    });
    targetSide.catch(() => undefined);
    const worker = async (): Promise<void> => {
      const script = this.o.threads === false ? undefined : workerScript();
      const thread = script
        ? new ThreadLoader(script, {
            sourcePath: this.readPath(),
            target: this.o.target,
            runId: this.runId ?? '',
            onError: this.o.onError,
            sourceZone: this.o.sourceZone,
          })
        : undefined;
      const db = thread ? undefined : openSource(this.readPath());
      try {
        for (let task = tasks.shift(); task; task = tasks.shift()) {
          const { t, chunk } = task;
          if (!started.has(t.name)) started.set(t.name, Date.now());
          const skip = rejected.get(t.name) ?? new Set<string>();
          const digest = thread
            ? await thread.digest(t, chunk, skip)
            : await sourceDigest(db ?? this.source(), this.rawReader(), t, skip, chunk);
          sourceParts.set(t.name, [...(sourceParts.get(t.name) ?? []), digest]);
        }
      } finally {
        db?.close();
        await thread?.close();
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(Math.max(1, this.o.jobs), tasks.length) }, () => worker()),
    );
    const targets = await targetSide;
    for (const t of plan.tables) {
      const target = targets.get(t.name);
      if (!target) continue;
      const v = compareDigests(
        t,
        mergeDigests(sourceParts.get(t.name) ?? []),
        target,
        (Date.now() - (started.get(t.name) ?? t0)) / 1000,
      );
      results.push(v);
      const report = this.report.tables.find((r) => r.table === t.name);
      if (report) {
        report.verified = v.ok;
        report.verification = v;
      }
      if (!v.ok) this.say(`verify ${t.name}: ${v.problems.join('; ')}`);
    }
    const expected = standalone ? await this.expectedObjects(plan) : this.report.created;
    const schemaProblems = await verifySchema(client, plan.tables, expected);
    const sequenceProblems = await checkSequences(client, this.report.sequences);
    const ok = results.every((r) => r.ok) && schemaProblems.length === 0 && sequenceProblems.length === 0;
    this.report.verification = { ok, schemaProblems, sequenceProblems, seconds: (Date.now() - t0) / 1000 };
    this.report.timings.verifySeconds = (Date.now() - t0) / 1000;
    for (const p of [...schemaProblems, ...sequenceProblems]) this.say(`verify: ${p}`);
    return ok;
  }

  /** For `verify` alone: the keys, indexes and FKs a migration would have created (those that translate). */
  private async expectedObjects(plan: MigrationPlan): Promise<DdlStatement[]> {
    const ctx = translationContext(plan.tables, []);
    const scratch: NotCarried[] = [];
    const all = [
      ...plan.tables.filter((t) => !t.exists).flatMap((t) => postLoadStatements(t, ctx, scratch)),
      ...foreignKeyStatements(plan.tables, scratch),
    ];
    const present: DdlStatement[] = [];
    for (const s of all) {
      if (s.kind === 'check' || s.kind === 'index') {
        if (await this.ddlExists(this.pg(), s)) present.push(s);
      } else {
        present.push(s);
      }
    }
    return present;
  }

  private async writeRejects(plan: MigrationPlan): Promise<void> {
    const dir = `${this.o.reportPath}.rejects`;
    rmSync(dir, { recursive: true, force: true });
    const withRejects = this.report.tables.filter((t) => t.rowsRejected > 0);
    if (withRejects.length === 0) return;
    mkdirSync(dir, { recursive: true });
    for (const r of withRejects) {
      const t = plan.tables.find((x) => x.name === r.table);
      if (!t) continue;
      const records = await readRejects(this.pg(), this.runId ?? '', t.source.name);
      const lines = records.join('\n');
      writeFileSync(`${dir}/${safeFileName(t.source.name)}.jsonl`, lines + '\n');
    }
    this.report.rejectsDirectory = resolve(dir);
  }

  private fail(error: unknown): void {
    const message = maskSecrets(error instanceof Error ? error.message : String(error)).replaceAll(
      this.o.target.password || '\u0000',
      '***',
    );
    this.report.status = 'failed';
    this.report.exitCode = 1;
    this.report.failure = { message, badRow: error instanceof MigrationError ? error.badRow : undefined };
    if (
      !(error instanceof MigrationError) &&
      !(error instanceof BadRowError) &&
      error instanceof Error &&
      error.stack
    ) {
      this.report.failure.message += `\n${maskSecrets(error.stack)}`;
    }
  }

  private async finish(): Promise<void> {
    this.report.finishedAt = new Date().toISOString();
    if (this.snapshot) {
      try {
        this.report.source.sha256After = await (this.hashAfter ?? sha256File(this.snapshot.path));
        this.report.source.unchanged = this.report.source.sha256After === this.report.source.sha256;
      } catch {
        this.report.source.unchanged = false;
      }
      if (!this.report.source.unchanged && this.report.exitCode !== 1) {
        this.fail(
          new MigrationError(
            `the snapshot ${this.snapshot.path} changed while the run read it, so the copy is not shown to be of one state of the source; run again`,
          ),
        );
      }
    }
    if (this.client && this.runId && this.report.status !== 'dry-run') {
      const written = this.report.tables.reduce((n, t) => n + t.rowsWritten, 0);
      const rejected = this.report.tables.reduce((n, t) => n + t.rowsRejected, 0);
      await finishRun(this.client, this.runId, {
        status: this.report.status,
        verified: this.report.verification?.ok ?? null,
        tables: this.report.tables.length,
        written,
        rejected,
        report: this.report,
      }).catch((error: unknown) => {
        this.report.preflight.warnings.push(
          `could not record the run in data_migration_runs: ${(error as Error).message}`,
        );
      });
    }
    await this.close();
    this.writeReport();
    this.printSummary();
  }

  private async close(): Promise<void> {
    this.progress?.stop();
    if (this.client) {
      if (this.locked)
        await this.client
          .query('SELECT pg_advisory_unlock($1)', [LockId.DataMigration])
          .catch(() => undefined);
      await this.client.end().catch(() => undefined);
      this.client = undefined;
    }
    this.db?.close();
    this.db = undefined;
    this.raw?.close();
    this.raw = undefined;
    this.releaseSnapshot();
  }

  /** A new run makes the interrupted one unresumable: the snapshot it kept is of no more use. */
  private async dropAbandonedSnapshot(): Promise<void> {
    const path = (await latestUnfinishedRun(this.pg()))?.snapshot?.path;
    if (!path || !existsSync(path)) return;
    removeSnapshot(path);
    this.say(`removed the snapshot kept by the interrupted run: ${path}`);
  }

  /** A failed migration keeps its snapshot for --resume; every other run deletes it. */
  private releaseSnapshot(): void {
    const snapshot = this.snapshot;
    if (!snapshot) return;
    const resumable =
      this.report.command === 'migrate' && this.report.status === 'failed' && this.runId !== undefined;
    snapshot.kept = resumable;
    if (resumable) {
      this.say(`the snapshot is kept for --resume: ${snapshot.path}`);
      return;
    }
    removeSnapshot(snapshot.path);
  }

  private writeReport(): void {
    writeFileSync(
      this.o.reportPath,
      JSON.stringify(this.report, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n',
    );
  }

  private printDryRun(plan: MigrationPlan): void {
    const out = this.o.out;
    if (!out) return;
    for (const t of plan.tables) {
      out.write(
        t.exists ? `-- "${t.name}" exists on the target: loaded as it is\n` : `${createTableSql(t)};\n`,
      );
    }
    for (const n of plan.notCarried) out.write(`-- not carried over: ${n.kind} ${n.object}: ${n.reason}\n`);
  }

  private printSummary(): void {
    const out = this.o.out;
    if (!out) return;
    if (this.report.tables.length > 0) {
      const rows: SummaryRow[] = this.report.tables.map((t) => ({
        table: t.table,
        read: t.rowsRead,
        written: t.rowsWritten,
        rejected: t.rowsRejected,
        verified: t.verified,
        seconds: t.seconds,
      }));
      out.write('\n' + formatSummary(rows) + '\n\n');
    }
    for (const n of this.report.notCarried)
      out.write(`not carried over: ${n.kind} ${n.object}: ${n.reason}\n`);
    if (this.report.rejectsDirectory) out.write(`rejected rows: ${this.report.rejectsDirectory}\n`);
    const statusLine =
      this.report.status === 'failed'
        ? `FAILED: ${this.report.failure?.message ?? 'unknown error'}`
        : `${this.report.command} ${this.report.status} (exit ${this.report.exitCode})`;
    out.write(`${statusLine}\nreport: ${resolve(this.o.reportPath)}\n`);
    if (this.report.failure?.badRow) out.write(`  ${describeBadRow(this.report.failure.badRow)}\n`);
  }
}

async function tablesCreatedByRunsSafe(client: pg.Client): Promise<Set<string>> {
  try {
    return await tablesCreatedByRuns(client);
  } catch {
    return new Set();
  }
}

function safeFileName(name: string): string {
  return name.replace(/[/\\\0]/g, '_');
}

/**
 * The compiled chunk-worker next to this file, when running from the build (CommonJS, where
 * __dirname exists); otherwise undefined and chunks load on the main thread.
 */
function workerScript(): string | undefined {
  if (typeof __dirname !== 'string') return undefined;
  const path = join(__dirname, 'load', 'chunk-worker.js');
  return existsSync(path) ? path : undefined;
}
