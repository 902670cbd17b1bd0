import type pg from 'pg';
import { MigrationError } from '../model/errors';
import type { Chunk, MigrationPlan, OrphanIndex, PlannedTable } from '../model/plan';
import type { TableDigest, TableReport } from '../model/report';
import { loadChunk, type ChunkResult } from '../load/chunk-loader';
import { LoadQueue, type LoadTask } from '../load/load-queue';
import { BadRowError } from '../load/row-conversion';
import { ThreadLoader } from '../load/thread-loader';
import { postLoadStatements, translationContext } from '../schema/ddl';
import { SourceHandle } from '../source/source-handle';
import { planChunks } from '../source/source-reader';
import { discardTables, readChunkStates, readTableStates, setTableState } from '../target/run-state';
import { closeSession, openSession } from '../target/sessions';
import { buildTableIndexes } from './index-builds';
import { TargetReadback } from './target-readback';
import type { RunContext } from './run-context';

/** The load's bookkeeping: what each table still has to copy and what it has copied so far. */
interface LoadBook {
  tasks: LoadTask[];
  /** Rows still to read per source table (for progress). */
  totals: Map<string, number>;
  /** Chunks still to copy per table; the table's keys and indexes follow its last one. */
  pending: Map<string, number>;
  finished: Set<string>;
  reports: Map<string, TableReport>;
  startedAt: Map<string, number>;
  /** Every chunk of each table, copied before or not (what verification reads back). */
  chunks: Map<string, Chunk[]>;
}

/**
 * Phase 3: copies every chunk not yet committed, on `--jobs` connections (each job on its own
 * thread in the build), then builds each table's keys, indexes and CHECKs after its last chunk.
 * After a stop, every table is either complete or empty.
 */
export async function loadTables(ctx: RunContext, plan: MigrationPlan, orphans: OrphanIndex): Promise<void> {
  const book = await openBook(ctx, plan);
  // Online runs change the target after the load (the catch-up): their copy is read back later.
  if (ctx.options.verify && !ctx.options.online)
    ctx.readback = new TargetReadback(ctx.options.target, Math.max(1, ctx.options.jobs));
  const queue = new LoadQueue(book.tasks, book.finished, plan.tables);
  ctx.progress?.start(book.totals);
  const threads: ThreadLoader[] = [];
  const job = (): Promise<void> => loadJob(ctx, plan, { book, queue, orphans, threads });
  const jobs = Math.max(1, Math.min(ctx.options.jobs, book.tasks.length || 1));
  await Promise.all(Array.from({ length: jobs }, job));
  ctx.progress?.stop();
  const failure = queue.failed;
  if (failure === undefined) return;
  ctx.readback?.stop();
  await emptyUnfinished(ctx, plan, book.finished);
  if (failure instanceof BadRowError) throw new MigrationError(`bad data: ${failure.message}`, failure.bad);
  throw failure instanceof Error ? failure : new Error(`load failed: ${JSON.stringify(failure)}`);
}

/** The tasks left, from the state tables (a resumed run skips finished tables and committed chunks). */
async function openBook(ctx: RunContext, plan: MigrationPlan): Promise<LoadBook> {
  const runId = ctx.runId ?? '';
  const chunkStates = await readChunkStates(ctx.pg, runId);
  const tableStates = await readTableStates(ctx.pg, runId);
  const book: LoadBook = {
    tasks: [],
    totals: new Map(),
    pending: new Map(),
    finished: new Set(),
    reports: new Map(),
    startedAt: new Map(),
    chunks: new Map(),
  };
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
    book.reports.set(t.name, report);
    ctx.report.tables.push(report);
    if (tableStates.get(t.name)?.status === 'finished') {
      book.finished.add(t.name);
      continue;
    }
    const all = planChunks(ctx.source.db, t, ctx.options.chunkRows);
    book.chunks.set(t.name, all);
    const chunks = all.filter((c) => !done.has(c.index));
    book.totals.set(
      t.source.name,
      chunks.reduce((n, c) => n + c.rows, 0),
    );
    book.pending.set(t.name, chunks.length);
    if (chunks.length === 0) book.tasks.push({ table: t, chunk: null });
    for (const c of chunks) book.tasks.push({ table: t, chunk: c });
  }
  // Bigger tables first keeps every job busy until the end.
  const size = (task: LoadTask): number => book.totals.get(task.table.source.name) ?? 0;
  book.tasks.sort((a, b) => size(b) - size(a));
  return book;
}

interface JobShared {
  book: LoadBook;
  queue: LoadQueue;
  orphans: OrphanIndex;
  threads: ThreadLoader[];
}

/** One job: its own session and thread, taking tasks until none is left or another job failed. */
async function loadJob(ctx: RunContext, plan: MigrationPlan, shared: JobShared): Promise<void> {
  const { book, queue } = shared;
  let session: pg.Client | undefined;
  const thread = ctx.startThread();
  if (thread) shared.threads.push(thread);
  // Without threads (tests on the sources) a job reads on this thread through a handle of its own.
  const handle = thread ? undefined : new SourceHandle(ctx.source.path);
  try {
    session = await openSession(ctx.options.target, 'load');
    for (let task = await queue.next(); task; task = await queue.next()) {
      const t = task.table;
      if (!book.startedAt.has(t.name)) book.startedAt.set(t.name, Date.now());
      if (task.chunk) {
        const result = thread
          ? await thread.load(
              t,
              task.chunk,
              shared.orphans,
              (n) => ctx.progress?.add(t.source.name, n),
              ctx.options.verify,
            )
          : await loadOnThisThread(ctx, session, handle ?? ctx.source, shared, t, task.chunk);
        if (!recordChunk(ctx, book, task, result)) continue;
      }
      await finishTable(ctx, session, plan, t, book);
      queue.tableFinished(t.name);
    }
  } catch (error) {
    queue.fail(error);
    for (const other of shared.threads) other.abort();
  } finally {
    handle?.close();
    await thread?.close();
    await closeSession(session);
  }
}

function loadOnThisThread(
  ctx: RunContext,
  client: pg.Client,
  source: SourceHandle,
  shared: JobShared,
  table: PlannedTable,
  chunk: Chunk,
): Promise<ChunkResult> {
  return loadChunk(
    {
      client,
      db: source.db,
      raw: source.raw,
      runId: ctx.runId ?? '',
      onError: ctx.options.onError,
      orphans: shared.orphans,
      onRows: (table, n) => ctx.progress?.add(table, n),
      aborted: () => shared.queue.failed !== undefined,
      digest: ctx.options.verify,
    },
    table,
    chunk,
  );
}

/** Counts a copied chunk; true when it was the table's last. */
function recordChunk(ctx: RunContext, book: LoadBook, task: LoadTask, result: ChunkResult): boolean {
  const t = task.table;
  if (result.digest && task.chunk) {
    const byChunk = ctx.loadDigests.get(t.name) ?? new Map<number, TableDigest>();
    byChunk.set(task.chunk.index, result.digest);
    ctx.loadDigests.set(t.name, byChunk);
  }
  const r = book.reports.get(t.name);
  if (r) {
    r.rowsWritten += result.written;
    r.rowsRejected += result.rejected;
    r.rowsRead += result.written + result.rejected;
  }
  const left = (book.pending.get(t.name) ?? 1) - 1;
  book.pending.set(t.name, left);
  return left <= 0;
}

/** A table's keys, indexes and CHECKs once its rows are in (created tables only). */
async function finishTable(
  ctx: RunContext,
  client: pg.Client,
  plan: MigrationPlan,
  t: PlannedTable,
  book: LoadBook,
): Promise<void> {
  const r = book.reports.get(t.name);
  if (!t.exists) {
    const statements = postLoadStatements(t, translationContext(plan.tables, []), plan.notCarried);
    await buildTableIndexes(ctx, client, t, statements, plan.notCarried, r?.rowsWritten ?? 0);
  }
  await setTableState(client, ctx.runId ?? '', t.name, !t.exists, 'finished');
  ctx.readback?.read(t, book.chunks.get(t.name) ?? []);
  if (!r) return;
  r.seconds = (Date.now() - (book.startedAt.get(t.name) ?? Date.now())) / 1000;
  ctx.say(
    `${t.name}: ${r.rowsWritten} rows written${r.rowsRejected ? `, ${r.rowsRejected} rejected` : ''} (${r.seconds.toFixed(2)}s)`,
  );
}

/** After a stop, a table is either complete or empty: partly loaded tables are emptied. */
async function emptyUnfinished(ctx: RunContext, plan: MigrationPlan, finished: Set<string>): Promise<void> {
  const unfinished = plan.tables.filter((t) => !finished.has(t.name));
  if (unfinished.length === 0) return;
  await discardTables(
    ctx.pg,
    ctx.runId ?? '',
    unfinished.map((t) => ({ name: t.name, sourceName: t.source.name })),
  );
  for (const r of ctx.report.tables) {
    if (unfinished.some((t) => t.name === r.table)) {
      r.rowsWritten = 0;
      r.rowsRejected = 0;
    }
  }
}
