import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { maskSecrets } from '../../config/database-url';
import { MigrationError } from '../model/errors';
import type { MigrationPlan } from '../model/plan';
import { BadRowError, describeBadRow } from '../load/row-conversion';
import { formatSummary, type SummaryRow } from '../report/summary-table';
import { createTableSql } from '../schema/ddl';
import { finishRun, readRejects } from '../target/run-state';
import { RejectFiles } from './reject-files';
import type { RunContext } from './run-context';

/** Phase 6: the reject files, the run's row in data_migration_runs, the report file and the summary. */

/** Each table's rejected rows, whole, in `<report>.rejects/<table>.jsonl`. */
export async function writeRejects(ctx: RunContext, plan: MigrationPlan): Promise<void> {
  const files = new RejectFiles(`${ctx.options.reportPath}.rejects`);
  try {
    for (const r of ctx.report.tables.filter((t) => t.rowsRejected > 0)) {
      const t = plan.tables.find((x) => x.name === r.table);
      if (!t) continue;
      // As it streams in: a table of a million rejected rows is never in memory at once.
      for await (const piece of readRejects(ctx.pg, ctx.runId ?? '', t.source.name))
        files.append(t.source.name, piece);
    }
  } finally {
    ctx.report.rejectsDirectory = files.close();
  }
}

/** Marks the run failed with the error's message (passwords masked; a stack only for the unexpected). */
export function recordFailure(ctx: RunContext, error: unknown): void {
  const password = ctx.options.target.password || '\u0000';
  const message = maskSecrets(error instanceof Error ? error.message : String(error)).replaceAll(
    password,
    '***',
  );
  ctx.report.status = 'failed';
  ctx.report.exitCode = 1;
  ctx.report.failure = { message, badRow: error instanceof MigrationError ? error.badRow : undefined };
  const expected = error instanceof MigrationError || error instanceof BadRowError;
  if (!expected && error instanceof Error && error.stack) {
    ctx.report.failure.message += `\n${maskSecrets(error.stack)}`;
  }
}

/** The run's row in data_migration_runs (what /health shows); a failure to write it is a warning. */
export async function recordRun(ctx: RunContext): Promise<void> {
  if (!ctx.connected || !ctx.runId || ctx.report.status === 'dry-run') return;
  const report = ctx.report;
  await finishRun(ctx.pg, ctx.runId, {
    status: report.status,
    verified: report.verification?.ok ?? null,
    tables: report.tables.length,
    written: report.tables.reduce((n, t) => n + t.rowsWritten, 0),
    rejected: report.tables.reduce((n, t) => n + t.rowsRejected, 0),
    report,
  }).catch((error: unknown) => {
    report.preflight.warnings.push(
      `could not record the run in data_migration_runs: ${(error as Error).message}`,
    );
  });
}

export function writeReport(ctx: RunContext): void {
  writeFileSync(
    ctx.options.reportPath,
    JSON.stringify(ctx.report, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n',
  );
}

export function printDryRun(ctx: RunContext, plan: MigrationPlan): void {
  const out = ctx.options.out;
  if (!out) return;
  for (const t of plan.tables) {
    out.write(
      t.exists ? `-- "${t.name}" exists on the target: loaded as it is\n` : `${createTableSql(t)};\n`,
    );
  }
  for (const n of plan.notCarried) out.write(`-- not carried over: ${n.kind} ${n.object}: ${n.reason}\n`);
}

export function printSummary(ctx: RunContext): void {
  const out = ctx.options.out;
  const report = ctx.report;
  if (!out) return;
  if (report.tables.length > 0) {
    const rows: SummaryRow[] = report.tables.map((t) => ({
      table: t.table,
      read: t.rowsRead,
      written: t.rowsWritten,
      rejected: t.rowsRejected,
      verified: t.verified,
      seconds: t.seconds,
    }));
    out.write('\n' + formatSummary(rows) + '\n\n');
  }
  for (const n of report.notCarried) out.write(`not carried over: ${n.kind} ${n.object}: ${n.reason}\n`);
  if (report.rejectsDirectory) out.write(`rejected rows: ${report.rejectsDirectory}\n`);
  if (report.export && report.status !== 'failed')
    out.write(`script: ${report.export.path} (${(report.export.bytes / 1e6).toFixed(1)} MB of SQL)\n`);
  const statusLine =
    report.status === 'failed'
      ? `FAILED: ${report.failure?.message ?? 'unknown error'}`
      : `${report.command} ${report.status} (exit ${report.exitCode})`;
  out.write(`${statusLine}\nreport: ${resolve(ctx.options.reportPath)}\n`);
  if (report.failure?.badRow) out.write(`  ${describeBadRow(report.failure.badRow)}\n`);
}
