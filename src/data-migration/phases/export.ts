import { resolve } from 'node:path';
import type { SourceSchema, SourceView } from '../model/catalog';
import { MigrationError } from '../model/errors';
import type { MigrationPlan, OrphanIndex, PlannedTable } from '../model/plan';
import type { TableDigest, TableReport } from '../model/report';
import { copyBatches, type BatchTally } from '../load/copy-batches';
import { rejectCopyText } from '../load/copy-text';
import { BadRowError } from '../load/row-conversion';
import { formatTable } from '../report/summary-table';
import {
  createTableSql,
  foreignKeyStatements,
  postLoadStatements,
  translationContext,
  viewStatement,
} from '../schema/ddl';
import { quoteIdent } from '../schema/sql-tokens';
import { planChunks } from '../source/source-reader';
import {
  EXPORTED_RUN_ID,
  exportedRunFinish,
  exportedRunStart,
  STAGED_REJECTS_COPY,
} from '../target/exported-run';
import { orphanedChildrenSql } from '../target/rejected-children';
import { sqlLiteral, STATE_SCHEMA } from '../target/run-state';
import { sequenceResetSql } from '../target/sequences';
import { SqlScript } from '../target/sql-script';
import { SourceDigestBuilder } from '../verify/source-digest';
import { mergeDigests } from '../verify/table-verifier';
import { RejectFiles } from './reject-files';
import type { RunContext } from './run-context';

// The values' text is written as PostgreSQL prints it in this session (see target/sessions).
const HEADER = [
  "SET client_encoding = 'UTF8'",
  'SET standard_conforming_strings = on',
  "SET TimeZone = 'UTC'",
  "SET DateStyle = 'ISO, YMD'",
  'SET check_function_bodies = false',
];

/**
 * The export's output phase: the plan a direct migrate would carry out, written as one psql script
 * instead of run — the schema, each table's rows as the `COPY` text the load sends (the same
 * converters) followed by its keys, indexes and CHECKs, then foreign keys, views, sequences above
 * their high-water marks, and a closing check of every table's row count with the digests
 * `migrate verify` computes. Reads the run's snapshot once, table by table, chunk by chunk.
 */
export async function exportScript(
  ctx: RunContext,
  plan: MigrationPlan,
  schema: SourceSchema,
  orphans: OrphanIndex,
): Promise<void> {
  const path = ctx.options.toSql ?? '';
  const script = new SqlScript(path);
  const rejects = new RejectFiles(`${ctx.options.reportPath}.rejects`);
  try {
    await script.comment(
      `pgmove export of ${resolve(ctx.options.sourcePath)} (snapshot sha256 ${ctx.report.source.sha256 ?? '?'})\n` +
        `taken ${ctx.snapshot?.takenAt ?? '?'}. Load into an empty database with:\n` +
        (path.endsWith('.gz')
          ? '  gunzip -c FILE | psql -v ON_ERROR_STOP=1 -1 -f - DATABASE_URL'
          : '  psql -v ON_ERROR_STOP=1 -1 -f FILE DATABASE_URL'),
    );
    for (const s of HEADER) await script.statement(s);
    for (const s of exportedRunStart(
      resolve(ctx.options.sourcePath),
      ctx.report.source.sha256 ?? '',
      ctx.snapshot,
    ))
      await script.statement(s);
    for (const t of plan.tables) await script.statement(createTableSql(t));
    ctx.progress?.start(
      new Map(
        plan.tables.map((t) => [
          t.source.name,
          planChunks(ctx.source.db, t, ctx.options.chunkRows).reduce((n, c) => n + c.rows, 0),
        ]),
      ),
    );
    const keys = translationContext(plan.tables, []);
    for (const t of plan.tables) {
      await exportRows(ctx, script, rejects, t, orphans);
      for (const s of postLoadStatements(t, keys, plan.notCarried))
        await ddl(script, s.kind, s.sql, `${s.table}: ${s.name}`);
    }
    ctx.progress?.stop();
    await finishSchema(ctx, script, plan, schema);
    await closingChecks(ctx, script, plan);
    await script.finish();
  } catch (error) {
    await script.abandon();
    if (error instanceof BadRowError) throw new MigrationError(`bad data: ${error.message}`, error.bad);
    throw error;
  } finally {
    ctx.progress?.stop();
    ctx.report.rejectsDirectory = rejects.close();
  }
  ctx.report.export = { path: resolve(path), bytes: script.size, gzip: path.endsWith('.gz') };
}

/** Keys, unique indexes and foreign keys must hold (the load fails); the rest may be refused (a warning). */
async function ddl(script: SqlScript, kind: string, sql: string, label: string): Promise<void> {
  if (kind === 'primary key' || kind === 'unique' || kind === 'foreign key') await script.statement(sql);
  else await script.tolerant(sql, `${kind} ${label}`);
}

/** One table's rows in one COPY block, chunk by chunk, with the digest of the text written. */
async function exportRows(
  ctx: RunContext,
  script: SqlScript,
  rejects: RejectFiles,
  t: PlannedTable,
  orphans: OrphanIndex,
): Promise<void> {
  const started = Date.now();
  const report: TableReport = {
    table: t.name,
    created: true,
    rowsRead: 0,
    rowsWritten: 0,
    rowsRejected: 0,
    seconds: 0,
    verified: null,
  };
  ctx.report.tables.push(report);
  const digests: TableDigest[] = [];
  // Rejected rows go between COPY blocks of the good ones, as the load stores them between statements.
  const rows = script.copyBlock(
    `COPY ${quoteIdent(t.name)} (${t.columns.map((c) => quoteIdent(c.name)).join(', ')}) FROM stdin`,
  );
  for (const chunk of planChunks(ctx.source.db, t, ctx.options.chunkRows)) {
    const digest = new SourceDigestBuilder(t, chunk);
    const tally: BatchTally = { written: 0, rejected: 0 };
    const input = {
      db: ctx.source.db,
      raw: ctx.source.raw,
      onError: ctx.options.onError,
      orphans: orphans.get(t.source.name),
      trusted: false,
      digest,
      onRows: (n: number) => ctx.progress?.add(t.source.name, n),
      aborted: () => false,
    };
    for (const batch of copyBatches(input, t, chunk, tally)) {
      if (batch.text) await rows.write(batch.text);
      if (batch.rejects.length === 0) continue;
      await rows.end();
      rejects.append(t.source.name, batch.rejects.map((r) => JSON.stringify(r)).join('\n') + '\n');
      const staged = script.copyBlock(STAGED_REJECTS_COPY);
      await staged.write(rejectCopyText([t.source.name, String(chunk.index)], batch.rejects));
      await staged.end();
    }
    digests.push(digest.result());
    report.rowsWritten += tally.written;
    report.rowsRejected += tally.rejected;
  }
  await rows.end();
  report.rowsRead = report.rowsWritten + report.rowsRejected;
  const merged = mergeDigests(digests);
  report.digest = { rows: merged.rows, checksum: merged.checksum };
  report.seconds = (Date.now() - started) / 1000;
  ctx.say(
    `${t.name}: ${report.rowsWritten} rows exported${report.rowsRejected ? `, ${report.rowsRejected} rejected` : ''} (${report.seconds.toFixed(2)}s)`,
  );
}

/** Children of rejected rows (reject mode), foreign keys, views and sequences, as phase 4 runs them. */
async function finishSchema(
  ctx: RunContext,
  script: SqlScript,
  plan: MigrationPlan,
  schema: SourceSchema,
): Promise<void> {
  const fks = foreignKeyStatements(plan.tables, plan.notCarried);
  if (ctx.options.onError === 'reject' && fks.length > 0) await rejectChildren(script, plan, fks);
  for (const s of fks) await ddl(script, s.kind, s.sql, `${s.table}: ${s.name}`);
  const views = translationContext(plan.tables, schema.views);
  for (const v of viewsInOrder(schema.views)) {
    try {
      const s = viewStatement(v, views);
      await ddl(script, s.kind, s.sql, s.name);
    } catch (error) {
      plan.notCarried.push({ object: v.name, kind: 'view', reason: (error as Error).message });
    }
  }
  for (const t of plan.tables) {
    for (const c of t.columns.filter((x) => x.identity)) {
      const floor = t.source.rowidAlias === c.source.name ? (t.source.sequence ?? 0n) : 0n;
      const sequence = `pg_get_serial_sequence(${sqlLiteral(quoteIdent(t.name))}, ${sqlLiteral(c.name)})::regclass`;
      await script.doBlock(
        `BEGIN\n  PERFORM 1 FROM (${sequenceResetSql(t.name, c.name, sequence, `${floor}::numeric`)}) s;\nEND`,
      );
    }
  }
  ctx.report.notCarried.push(...plan.notCarried);
  for (const n of plan.notCarried)
    await script.comment(`not carried over: ${n.kind} ${n.object}: ${n.reason}`);
}

/**
 * Rows whose parent row was rejected point nowhere: moved into the target's rejects table, level by
 * level until none moves, before the foreign keys are added (as the direct migrate does).
 */
async function rejectChildren(
  script: SqlScript,
  plan: MigrationPlan,
  fks: { table: string; foreignKey?: { parent: string; from: string[]; to: string[] } }[],
): Promise<void> {
  const moves = fks.flatMap((s) => {
    const t = plan.tables.find((x) => x.name === s.table);
    return t && s.foreignKey ? [orphanedChildrenSql(t, s.foreignKey, EXPORTED_RUN_ID)] : [];
  });
  const body = moves
    .map((m) => `    ${m};\n    GET DIAGNOSTICS n = ROW_COUNT;\n    moved := moved + n;`)
    .join('\n');
  await script.doBlock(
    `DECLARE\n  n bigint;\n  moved bigint;\nBEGIN\n  LOOP\n    moved := 0;\n${body}\n    EXIT WHEN moved = 0;\n  END LOOP;\nEND`,
  );
}

/** Views after the views they name, so each can be created when its turn comes. */
function viewsInOrder(views: SourceView[]): SourceView[] {
  const names = (v: SourceView): SourceView[] =>
    views.filter(
      (o) => o !== v && new RegExp(`\\b${o.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i').test(v.sql),
    );
  const out: SourceView[] = [];
  const placed = new Set<SourceView>();
  while (out.length < views.length) {
    const next =
      views.find((v) => !placed.has(v) && names(v).every((d) => placed.has(d))) ??
      views.find((v) => !placed.has(v));
    if (!next) break;
    placed.add(next);
    out.push(next);
  }
  return out;
}

/**
 * Every table's row count checked against what was written (the load fails otherwise), the digests
 * `migrate verify` compares listed, and the run recorded as finished.
 */
async function closingChecks(ctx: RunContext, script: SqlScript, plan: MigrationPlan): Promise<void> {
  const rows = ctx.report.tables;
  await script.comment(
    `Rows and digests of the exported tables (the COPY text's SHA-256 as migrate verify computes it):\n` +
      formatTable(
        ['table', 'rows', 'rejected', 'digest'],
        rows.map((r) => [r.table, String(r.rowsWritten), String(r.rowsRejected), r.digest?.checksum ?? '']),
      ),
  );
  const checks = plan.tables.map((t) => {
    const written = rows.find((r) => r.table === t.name)?.rowsWritten ?? 0;
    const moved = `(SELECT count(*) FROM ${STATE_SCHEMA}.rejects WHERE run_id = ${EXPORTED_RUN_ID} AND table_name = ${sqlLiteral(t.source.name)} AND chunk = -1)`;
    return (
      `  SELECT count(*) + ${moved} INTO n FROM ${quoteIdent(t.name)};\n` +
      `  IF n <> ${written} THEN\n    RAISE EXCEPTION 'pgmove: table %: % rows after the load, the export wrote ${written}', ${sqlLiteral(quoteIdent(t.name))}, n;\n  END IF;`
    );
  });
  if (checks.length > 0) await script.doBlock(`DECLARE\n  n bigint;\nBEGIN\n${checks.join('\n')}\nEND`);
  const tables = plan.tables.map((t) => {
    const r = rows.find((x) => x.table === t.name);
    return {
      name: t.name,
      sourceName: t.source.name,
      written: r?.rowsWritten ?? 0,
      rejected: r?.rowsRejected ?? 0,
    };
  });
  ctx.report.status = tables.some((t) => t.rejected > 0) ? 'rejected' : 'succeeded';
  ctx.report.exitCode = ctx.report.status === 'rejected' ? 3 : 0;
  for (const s of exportedRunFinish(tables, { ...ctx.report, finishedAt: new Date().toISOString() }))
    await script.statement(s);
}
