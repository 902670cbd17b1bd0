import { existsSync } from 'node:fs';
import { TargetReadback } from './target-readback';
import { join, resolve } from 'node:path';
import type pg from 'pg';
import type { PostgresSettings } from '../../config/app-config';
import { describePostgresTarget } from '../../config/database-url';
import type { LegacyEncoding, NullKeyPolicy, OnError, OrphanPolicy } from '../model/plan';
import type { MigrationReport, SourceSnapshot, TableDigest } from '../model/report';
import { ThreadLoader } from '../load/thread-loader';
import { Progress } from '../report/progress';
import { SourceHandle } from '../source/source-handle';
import { releaseMigrationLock } from '../target/migration-lock';
import { closeSession } from '../target/sessions';

export interface MigrateOptions {
  sourcePath: string;
  target: PostgresSettings;
  onError: OnError;
  /** Text that is not UTF-8 read in this encoding instead of refused (`--invalid-utf8`). */
  invalidUtf8?: LegacyEncoding;
  /** Names over 63 bytes: stop (default) or shorten to a prefix and a hash (`--long-names`). */
  longNames?: 'stop' | 'shorten';
  /** Rows with a NULL primary key: stop, reject or fill from the rowid; default as `onError`. */
  nullKeys?: NullKeyPolicy;
  /** Foreign-key orphans: stop, reject or keep (FK NOT VALID); default as `onError`. */
  orphans?: OrphanPolicy;
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
  /** Capture changes, copy, catch up and cut over while other processes keep writing (see phases/online). */
  online?: boolean;
  /** The service running on the source, to hold its writes and switch it at the cut-over (`--service`). */
  service?: { url: string; token?: string };
  /** Load on worker threads (default when the compiled worker script is present). */
  threads?: boolean;
  /** `export`: the psql script to write instead of a target (`.gz`: gzip-compressed). */
  toSql?: string;
  /** Progress and summary output; silent when undefined. */
  out?: NodeJS.WriteStream;
}

export type Command = 'migrate' | 'verify' | 'export';

export type RunSnapshot = SourceSnapshot & { resumed: boolean; kept: boolean };

/**
 * What one run holds while its phases work: the options, the report being written, the run's own
 * PostgreSQL session, the snapshot of the source and this thread's handle on it. Each phase is a
 * function of (context, plan); the runner owns the context's lifetime.
 */
export class RunContext {
  readonly report: MigrationReport;
  readonly progress: Progress | undefined;
  runId: string | undefined;
  /** True while this run holds the data-migration advisory lock. */
  locked = false;
  /** Source digests of the chunks this run loaded, computed by the load from the rows it read. */
  readonly loadDigests = new Map<string, Map<number, TableDigest>>();
  /** The target half of verification, started by a verifying load as each table is finished. */
  readback: TargetReadback | undefined;
  private client: pg.Client | undefined;
  private snap: RunSnapshot | undefined;
  private handle: SourceHandle | undefined;

  constructor(
    readonly options: MigrateOptions,
    command: Command,
  ) {
    const o = options;
    this.progress = o.out ? new Progress(o.out) : undefined;
    this.report = {
      command,
      status: 'failed',
      exitCode: 1,
      startedAt: new Date().toISOString(),
      source: { path: resolve(o.sourcePath) },
      target: o.toSql ? `psql script ${resolve(o.toSql)}` : describePostgresTarget(o.target),
      options: {
        onError: o.onError,
        orphans: o.orphans ?? o.onError,
        nullKeys: o.nullKeys ?? o.onError,
        longNames: o.longNames ?? 'stop',
        invalidUtf8: o.invalidUtf8 ?? null,
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

  get command(): Command {
    return this.report.command;
  }

  /** True for a migration that writes (not `verify`, not `--dry-run`). */
  get writes(): boolean {
    return this.command === 'migrate' && !this.options.dryRun;
  }

  say(text: string): void {
    this.progress?.line(text);
  }

  set pg(client: pg.Client) {
    this.client = client;
  }

  /** The run's own session (see target/sessions: `control`). */
  get pg(): pg.Client {
    if (!this.client) throw new Error('not connected');
    return this.client;
  }

  get connected(): boolean {
    return this.client !== undefined;
  }

  useSnapshot(snapshot: RunSnapshot): void {
    this.snap = snapshot;
    this.report.source.snapshot = snapshot;
    this.handle = new SourceHandle(snapshot.path);
  }

  get snapshot(): RunSnapshot | undefined {
    return this.snap;
  }

  /** This thread's handle on the snapshot. */
  get source(): SourceHandle {
    if (!this.handle) throw new Error('no snapshot of the source taken');
    return this.handle;
  }

  /**
   * A load/verification thread on the snapshot, when this is the build (the compiled worker script
   * is there) and threads are not turned off; undefined means work on this thread.
   */
  startThread(): ThreadLoader | undefined {
    if (this.options.threads === false || typeof __dirname !== 'string') return undefined;
    const script = join(__dirname, '..', 'load', 'chunk-worker.js');
    if (!existsSync(script)) return undefined;
    return new ThreadLoader(script, {
      sourcePath: this.source.path,
      target: this.options.target,
      runId: this.runId ?? '',
      onError: this.options.onError,
      sourceZone: this.options.sourceZone,
    });
  }

  /** Closes this thread's handle on the snapshot (before the snapshot is deleted). */
  closeSource(): void {
    this.handle?.close();
  }

  /** Ends the session (releasing the advisory lock) and closes this thread's handle. */
  async close(): Promise<void> {
    this.progress?.stop();
    this.closeSource();
    if (this.client) {
      if (this.locked) await releaseMigrationLock(this.client).catch(() => undefined);
      await closeSession(this.client);
      this.client = undefined;
    }
  }
}
