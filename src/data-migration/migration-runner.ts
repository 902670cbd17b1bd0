import { resolve } from 'node:path';
import { MigrationError } from './model/errors';
import type { MigrationReport } from './model/report';
import { finishSchema } from './phases/constraints';
import { createTables } from './phases/create-tables';
import { exportScript } from './phases/export';
import { loadTables } from './phases/load';
import { catchUpAndCutOver, copyVerifiedBefore, undoCapture } from './phases/online';
import { preflight } from './phases/preflight';
import {
  printDryRun,
  printSummary,
  recordFailure,
  recordRun,
  writeRejects,
  writeReport,
} from './phases/report';
import { RunContext, type MigrateOptions } from './phases/run-context';
import { checkSnapshotUnchanged, dropAbandonedSnapshot, releaseSnapshot } from './phases/snapshot';
import { reportRecordedRows, verifyTables } from './phases/verify';
import { startRun } from './target/run-state';

export type { MigrateOptions } from './phases/run-context';

/**
 * One migration (or verification) run: the phases in order over one plan and one snapshot of the
 * source: preflight → create tables → load (each table's keys and indexes after its rows) →
 * foreign keys, views and sequences → verify → report. Resume is the load skipping what the state
 * tables say is committed; every phase records what it did in the run's report.
 */
export class MigrationRunner {
  constructor(private readonly options: MigrateOptions) {}

  async migrate(): Promise<MigrationReport> {
    const ctx = new RunContext(this.options, 'migrate');
    const { report } = ctx;
    const started = Date.now();
    try {
      const { schema, plan, orphans } = await preflight(ctx);
      if (this.options.dryRun) {
        printDryRun(ctx, plan);
        report.status = 'dry-run';
        report.exitCode = 0;
        return report;
      }
      if (!ctx.runId) await dropAbandonedSnapshot(ctx);
      ctx.runId ??= await startRun(
        ctx.pg,
        resolve(this.options.sourcePath),
        report.source.sha256 ?? '',
        ctx.snapshot,
      );
      report.runId = ctx.runId;
      await createTables(ctx, plan);
      await timed(ctx, 'loadSeconds', () => loadTables(ctx, plan, orphans));
      await timed(ctx, 'constraintsSeconds', () => finishSchema(ctx, plan, schema));
      report.notCarried.push(...plan.notCarried);
      report.timings.migrateSeconds = (Date.now() - started) / 1000;
      const verified = !this.options.verify
        ? null
        : (this.options.online && (await copyVerifiedBefore(ctx))) || (await verifyTables(ctx, plan));
      // Online: the copy is verified against the snapshot; the changes since are applied and checked.
      if (this.options.online && verified) await catchUpAndCutOver(ctx, plan, schema);
      await writeRejects(ctx, plan);
      const rejected = report.tables.reduce((n, t) => n + t.rowsRejected, 0);
      if (verified === false)
        throw new MigrationError('verification found differences between source and target (see the report)');
      report.status = rejected > 0 ? 'rejected' : 'succeeded';
      report.exitCode = rejected > 0 ? 3 : 0;
    } catch (error) {
      ctx.readback?.stop();
      recordFailure(ctx, error);
      undoCapture(ctx);
    } finally {
      await this.finishRead(ctx, started, true);
    }
    return report;
  }

  /** `verify` alone: compares the target with a snapshot of the source as it is now. */
  async verifyOnly(): Promise<MigrationReport> {
    const ctx = new RunContext(this.options, 'verify');
    const { report } = ctx;
    const started = Date.now();
    try {
      const { plan } = await preflight(ctx);
      await reportRecordedRows(ctx, plan);
      const ok = await verifyTables(ctx, plan, true);
      report.status = ok ? 'succeeded' : 'failed';
      report.exitCode = ok ? 0 : 1;
      if (!ok) report.failure = { message: 'verification found differences between source and target' };
    } catch (error) {
      recordFailure(ctx, error);
    } finally {
      report.timings.totalSeconds = (Date.now() - started) / 1000;
      await this.finish(ctx, false);
    }
    return report;
  }

  /**
   * `export`: the same preflight (without a target) and plan, written as one psql script by the
   * export phase instead of run; the snapshot read once, checked unchanged at the end.
   */
  async export(): Promise<MigrationReport> {
    const ctx = new RunContext(this.options, 'export');
    const { report } = ctx;
    const started = Date.now();
    try {
      const { schema, plan, orphans } = await preflight(ctx);
      await timed(ctx, 'exportSeconds', () => exportScript(ctx, plan, schema, orphans));
    } catch (error) {
      recordFailure(ctx, error);
    } finally {
      await this.finishRead(ctx, started, false);
    }
    return report;
  }

  /** The end of a run that read the whole snapshot: its times, the snapshot shown unchanged, then finish. */
  private async finishRead(ctx: RunContext, started: number, record: boolean): Promise<void> {
    ctx.report.timings.totalSeconds = (Date.now() - started) / 1000;
    ctx.report.finishedAt = new Date().toISOString();
    try {
      checkSnapshotUnchanged(ctx);
    } catch (error) {
      recordFailure(ctx, error);
    }
    await this.finish(ctx, record);
  }

  /** Releases the snapshot (kept after a failed migration), records the run, closes, reports. */
  private async finish(ctx: RunContext, record: boolean): Promise<void> {
    ctx.closeSource();
    releaseSnapshot(ctx);
    if (record) await recordRun(ctx);
    await ctx.close();
    writeReport(ctx);
    printSummary(ctx);
  }
}

async function timed(ctx: RunContext, key: string, phase: () => Promise<void>): Promise<void> {
  const t0 = Date.now();
  await phase();
  ctx.report.timings[key] = (Date.now() - t0) / 1000;
}
