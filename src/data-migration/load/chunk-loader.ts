import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { PlannedTable, Chunk, OrphanIndex, OnError, BadRow } from '../model/plan';
import { quoteIdent } from '../schema/sql-tokens';
import { BadValueError } from '../convert/sqlite-value';
import type { RawTextReader } from '../source/source-reader';
import { CopyIn, copyText } from '../target/copy-in';
import { REJECTS_COPY, STATE_SCHEMA } from '../target/run-state';
import type { TableDigest } from '../model/report';
import { SourceDigestBuilder } from '../verify/source-digest';
import { copyBatches, type BatchTally } from './copy-batches';
import { rejectCopyText } from './copy-text';
import { BadRowError } from './row-conversion';

export interface LoadContext {
  client: pg.Client;
  db: Database.Database;
  raw: RawTextReader;
  runId: string;
  onError: OnError;
  orphans: OrphanIndex;
  /** Called with the number of rows read since the last call. */
  onRows(table: string, rows: number): void;
  /** True once another job failed under --on-error stop: this one gives up at its next batch. */
  aborted(): boolean;
  /** Also compute the chunk's source digest for verification from the rows read for the copy. */
  digest?: boolean;
}

export interface ChunkResult {
  written: number;
  rejected: number;
  /** The source half of the chunk's verification, when asked for. */
  digest?: TableDigest;
}

export { AbortedError } from './copy-batches';

/**
 * Copies one chunk in one transaction, together with its row in the state table and its rejected
 * rows: a killed process leaves the chunk wholly committed or wholly absent. Unless the run verifies,
 * JSON is first left for PostgreSQL to check (it parses it anyway); if COPY refuses a value, the
 * chunk is rolled back and copied again with every check made here, so a bad row is named and
 * stopped or set aside as usual.
 */
export async function loadChunk(ctx: LoadContext, table: PlannedTable, chunk: Chunk): Promise<ChunkResult> {
  // Progress counts each row once, also when the chunk is read a second time.
  let reported = 0;
  let seen = 0;
  const onRows = (rows: number): void => {
    seen += rows;
    if (seen > reported) ctx.onRows(table.source.name, seen - reported);
    reported = Math.max(reported, seen);
  };
  // Verification compares the text sent with the text PostgreSQL prints, which only `convert` writes.
  if (ctx.digest || !table.columns.some((c) => c.converter.defersChecks))
    return copyChunk(ctx, table, chunk, false, onRows);
  try {
    return await copyChunk(ctx, table, chunk, true, onRows);
  } catch (error) {
    // A bad row found by the trusting pass may not be the chunk's first: the careful pass names that one.
    if (!refusedValue(error) && !(error instanceof BadRowError)) throw error;
    seen = 0;
    return copyChunk(ctx, table, chunk, false, onRows);
  }
}

/** A value PostgreSQL's input function refused (SQLSTATE class 22), or one the digest could not read. */
function refusedValue(error: unknown): boolean {
  if (error instanceof BadValueError) return true;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('22');
}

async function copyChunk(
  ctx: LoadContext,
  table: PlannedTable,
  chunk: Chunk,
  trusted: boolean,
  onRows: (rows: number) => void,
): Promise<ChunkResult> {
  const columns = table.columns.map((c) => quoteIdent(c.name)).join(', ');
  const digest = ctx.digest ? new SourceDigestBuilder(table, chunk) : undefined;
  const tally: BatchTally = { written: 0, rejected: 0 };
  const batches = copyBatches(
    {
      db: ctx.db,
      raw: ctx.raw,
      onError: ctx.onError,
      orphans: ctx.orphans.get(table.source.name),
      trusted,
      digest,
      onRows,
      aborted: () => ctx.aborted(),
    },
    table,
    chunk,
    tally,
  );

  // Rejected rows are stored as they come, between COPY statements of the good rows, so the
  // chunk's rejects never wait in memory together; all of it commits (or not) as one.
  const rows = new CopyIn(ctx.client, `COPY ${quoteIdent(table.name)} (${columns}) FROM STDIN`);
  await ctx.client.query('BEGIN');
  try {
    for (const batch of batches) {
      if (batch.text) await rows.write(batch.text);
      if (batch.rejects.length === 0) continue;
      await rows.end();
      await storeRejects(ctx, table, chunk, batch.rejects);
    }
    await rows.end();
    await ctx.client.query(
      `INSERT INTO ${STATE_SCHEMA}.chunks (run_id, table_name, chunk, first_rowid, last_rowid, rows_written, rows_rejected)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        ctx.runId,
        table.source.name,
        chunk.index,
        chunk.lo?.toString() ?? null,
        chunk.hi?.toString() ?? null,
        tally.written,
        tally.rejected,
      ],
    );
    await ctx.client.query('COMMIT');
  } catch (error) {
    await rows.abort();
    await ctx.client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return { written: tally.written, rejected: tally.rejected, ...(digest ? { digest: digest.result() } : {}) };
}

/** Rejected rows into the run's rejects, in the chunk's transaction (one COPY per batch of them). */
async function storeRejects(
  ctx: LoadContext,
  table: PlannedTable,
  chunk: Chunk,
  rejects: BadRow[],
): Promise<void> {
  await copyText(
    ctx.client,
    REJECTS_COPY,
    rejectCopyText([ctx.runId, table.source.name, String(chunk.index)], rejects),
  );
}
