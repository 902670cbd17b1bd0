import type { Chunk, DdlStatement, MigrationPlan, NotCarried, PlannedTable } from '../model/plan';
import type { SequenceState, TableDigest, TableVerification, ViewVerification } from '../model/report';
import type { TargetTable } from '../model/catalog';
import { foreignKeyStatements, postLoadStatements, translationContext } from '../schema/ddl';
import { SourceHandle } from '../source/source-handle';
import { planChunks } from '../source/source-reader';
import { objectExists, readTargetTables, viewNames } from '../target/pg-catalog';
import {
  hasRejectedChildren,
  latestRun,
  readChunkStates,
  rejectedRowids,
  type ChunkState,
} from '../target/run-state';
import { checkSequences, highWaterMark } from '../target/sequences';
import { closeSession, openSession } from '../target/sessions';
import { verifySchema } from '../verify/schema-verifier';
import { verifyView } from '../verify/view-verifier';
import { readSourceViews } from '../source/sqlite-schema';
import { compareDigests, mergeDigests, sourceDigest } from '../verify/table-verifier';
import type { RunContext } from './run-context';
import { TargetReadback } from './target-readback';

interface Part {
  t: PlannedTable;
  chunk: Chunk;
}

/**
 * Phase 5: every table's rows compared by count, content digest and key/date ranges, then schema
 * parity and sequences. `standalone` (the `verify` command) computes every source digest from the
 * snapshot; after a load, the chunks it read already have theirs.
 */
export async function verifyTables(
  ctx: RunContext,
  plan: MigrationPlan,
  standalone = false,
): Promise<boolean> {
  const t0 = Date.now();
  // A table whose rows all stayed as loaded is compared with the load's digests; one whose source
  // half is read again leaves out, chunk by chunk, the rows the run rejected.
  const reread = new Set<string>();
  for (const t of plan.tables) {
    if (standalone || (ctx.runId && (await hasRejectedChildren(ctx.pg, ctx.runId, t.source.name))))
      reread.add(t.name);
  }
  const rejectedIn = (t: PlannedTable, chunk: Chunk): Promise<Set<string>> =>
    ctx.runId
      ? rejectedRowids(ctx.pg, ctx.runId, t.source.name, chunk.lo, chunk.hi)
      : Promise.resolve(new Set());
  // The source half is split into the load's rowid chunks, spread over the jobs' threads.
  const chunksOf = new Map(
    plan.tables.map((t) => [t.name, planChunks(ctx.source.db, t, ctx.options.chunkRows)]),
  );
  // Chunks this run loaded already have their source digest, computed by the load from the rows it
  // wrote, unless children of rejected rows left the table after the load.
  const sourceParts = new Map<string, TableDigest[]>();
  const add = (parts: Map<string, TableDigest[]>, table: string, d: TableDigest): void => {
    parts.set(table, [...(parts.get(table) ?? []), d]);
  };
  const tasks: Part[] = plan.tables.flatMap((t) => {
    const known = reread.has(t.name) ? undefined : ctx.loadDigests.get(t.name);
    return (chunksOf.get(t.name) ?? []).flatMap((chunk) => {
      const digest = known?.get(chunk.index);
      if (!digest) return [{ t, chunk }];
      add(sourceParts, t.name, digest);
      return [];
    });
  });
  tasks.sort((a, b) => b.chunk.rows - a.chunk.rows);
  const started = new Map<string, number>();
  const targets = targetSide(ctx, plan, chunksOf, tasks.length === 0 ? ctx.options.jobs : 1, reread);
  targets.catch(() => undefined);
  const job = async (): Promise<void> => {
    const source = sourceReader(ctx);
    try {
      for (let task = tasks.shift(); task; task = tasks.shift()) {
        const { t, chunk } = task;
        if (!started.has(t.name)) started.set(t.name, Date.now());
        add(sourceParts, t.name, await source.digest(t, chunk, await rejectedIn(t, chunk)));
      }
    } finally {
      await source.close();
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, ctx.options.jobs), tasks.length) }, job));
  const results = compareTables(ctx, plan, sourceParts, await targets, (t) => started.get(t) ?? t0);
  return finishVerification(ctx, plan, results, standalone, t0);
}

/** A job's source side: a load thread in the build, a handle on this thread otherwise. */
function sourceReader(ctx: RunContext): {
  digest(t: PlannedTable, chunk: Chunk, skip: Set<string>): Promise<TableDigest>;
  close(): Promise<void>;
} {
  const thread = ctx.startThread();
  if (thread) {
    return { digest: (t, chunk, skip) => thread.digest(t, chunk, skip), close: () => thread.close() };
  }
  const handle = new SourceHandle(ctx.source.path);
  return {
    digest: (t, chunk, skip) => sourceDigest(handle.db, handle.raw, t, skip, chunk),
    close: () => Promise.resolve(handle.close()),
  };
}

/**
 * The target half: the stored rows read back as COPY text, per table or per chunk for ordered
 * digests, and each table's ranges (see TargetReadback). A verifying load has started reading
 * each table it finished; one whose rows changed since (children of rejected rows removed) is read
 * again. Otherwise on `jobs` readback sessions (more than one only when the load already computed
 * the source half).
 */
async function targetSide(
  ctx: RunContext,
  plan: MigrationPlan,
  chunksOf: Map<string, Chunk[]>,
  jobs: number,
  changed: Set<string>,
): Promise<Map<string, TableDigest>> {
  const readback = ctx.readback ?? new TargetReadback(ctx.options.target, jobs);
  for (const t of plan.tables) {
    if (changed.has(t.name)) readback.forget(t);
    readback.read(t, chunksOf.get(t.name) ?? []);
  }
  const merged = new Map<string, TableDigest>();
  for (const t of plan.tables) merged.set(t.name, await readback.digest(t));
  return merged;
}

function compareTables(
  ctx: RunContext,
  plan: MigrationPlan,
  sourceParts: Map<string, TableDigest[]>,
  targets: Map<string, TableDigest>,
  startedAt: (table: string) => number,
): TableVerification[] {
  const results: TableVerification[] = [];
  for (const t of plan.tables) {
    const target = targets.get(t.name);
    if (!target) continue;
    const source = mergeDigests(sourceParts.get(t.name) ?? []);
    const v = compareDigests(t, source, target, (Date.now() - startedAt(t.name)) / 1000);
    results.push(v);
    const report = ctx.report.tables.find((r) => r.table === t.name);
    if (report) {
      report.verified = v.ok;
      report.verification = v;
    }
    if (!v.ok) ctx.say(`verify ${t.name}: ${v.problems.join('; ')}`);
  }
  return results;
}

async function finishVerification(
  ctx: RunContext,
  plan: MigrationPlan,
  results: TableVerification[],
  standalone: boolean,
  t0: number,
): Promise<boolean> {
  const expected = standalone ? await expectedObjects(ctx, plan) : ctx.report.created;
  const schemaProblems = await verifySchema(ctx.pg, plan.tables, expected);
  const views = await verifyViews(ctx, standalone);
  for (const v of views) if (!v.ok) schemaProblems.push(`view "${v.view}": ${v.problem ?? 'differs'}`);
  const sequenceProblems = await checkSequences(ctx.pg, ctx.report.sequences);
  const ok = results.every((r) => r.ok) && schemaProblems.length === 0 && sequenceProblems.length === 0;
  const seconds = (Date.now() - t0) / 1000;
  ctx.report.verification = { ok, schemaProblems, sequenceProblems, views, seconds };
  ctx.report.timings.verifySeconds = seconds;
  for (const p of [...schemaProblems, ...sequenceProblems]) ctx.say(`verify: ${p}`);
  return ok;
}

/**
 * Every carried view proven on both sides (see verify/view-verifier): those this run created, or
 * for `verify` alone every source view the target has.
 */
async function verifyViews(ctx: RunContext, standalone: boolean): Promise<ViewVerification[]> {
  const created = new Set(ctx.report.created.filter((s) => s.kind === 'view').map((s) => s.name));
  const onTarget = standalone ? await viewNames(ctx.pg) : created;
  const views = readSourceViews(ctx.source.db).filter((v) => onTarget.has(v.name));
  if (views.length === 0) return [];
  const client = await openSession(ctx.options.target, 'readback');
  try {
    const out: ViewVerification[] = [];
    for (const v of views) out.push(await verifyView(ctx.source.db, client, v));
    return out;
  } finally {
    await closeSession(client);
  }
}

/** For `verify` alone: the keys, indexes and FKs a migration would have created (those that translate). */
async function expectedObjects(ctx: RunContext, plan: MigrationPlan): Promise<DdlStatement[]> {
  const sql = translationContext(plan.tables, []);
  const scratch: NotCarried[] = [];
  const all = [
    ...plan.tables.filter((t) => !t.exists).flatMap((t) => postLoadStatements(t, sql, scratch)),
    ...foreignKeyStatements(plan.tables, scratch, plan.keptOrphans),
  ];
  const present: DdlStatement[] = [];
  for (const s of all) {
    if (s.kind !== 'check' && s.kind !== 'index') present.push(s);
    else if (await objectExists(ctx.pg, s.table, s.name)) present.push(s);
  }
  return present;
}

/** For `verify` alone: each identity/serial sequence with the high-water mark it must be above. */
async function currentSequences(
  ctx: RunContext,
  plan: MigrationPlan,
  catalog: Map<string, TargetTable>,
): Promise<SequenceState[]> {
  const out: SequenceState[] = [];
  for (const t of plan.tables) {
    for (const col of catalog.get(t.name)?.columns ?? []) {
      if (!col.sequence) continue;
      const planned = t.columns.find((c) => c.name === col.name);
      const seq = planned && t.source.rowidAlias === planned.source.name ? (t.source.sequence ?? 0n) : 0n;
      const highWater = await highWaterMark(ctx.pg, t.name, col.name, seq);
      out.push({ table: t.name, column: col.name, sequence: col.sequence, highWater, nextValue: '' });
    }
  }
  return out;
}

/** For `verify` alone: each table's rows as the latest run recorded them, to report beside the check. */
export async function reportRecordedRows(ctx: RunContext, plan: MigrationPlan): Promise<void> {
  const last = await latestRun(ctx.pg);
  ctx.runId = last?.id;
  const states = ctx.runId
    ? await readChunkStates(ctx.pg, ctx.runId)
    : new Map<string, Map<number, ChunkState>>();
  for (const t of plan.tables) {
    const chunks = [...(states.get(t.source.name)?.values() ?? [])];
    ctx.report.tables.push({
      table: t.name,
      created: !t.exists,
      rowsRead: chunks.reduce((n, c) => n + c.rowsWritten + c.rowsRejected, 0),
      rowsWritten: chunks.reduce((n, c) => n + c.rowsWritten, 0),
      rowsRejected: chunks.reduce((n, c) => n + c.rowsRejected, 0),
      seconds: 0,
      verified: null,
    });
  }
  ctx.report.sequences = await currentSequences(ctx, plan, await readTargetTables(ctx.pg));
}
