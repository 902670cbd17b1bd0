import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type Database from 'better-sqlite3';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { PlannedTable } from '../plan/migration-plan';
import { quoteIdent } from '../schema/sql-tokens';
import { chunkQuery, iterateRows, type Chunk, type RawTextReader } from '../source/source-reader';
import { STATE_SCHEMA } from '../target/run-state';
import { escapeCopy } from './copy-text';
import { SourceDigestBuilder, type TableDigest } from '../verify/table-verifier';
import { BadRowError, convertRow, type BadRow, type OrphanIndex } from './row-conversion';

export type OnError = 'stop' | 'reject';

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

const BATCH_CHARS = 1024 * 1024;

export class AbortedError extends Error {}

/**
 * Copies one chunk in one transaction, together with its row in the state table and its rejected
 * rows: a killed process leaves the chunk wholly committed or wholly absent.
 */
export async function loadChunk(ctx: LoadContext, table: PlannedTable, chunk: Chunk): Promise<ChunkResult> {
  const { sql, params } = chunkQuery(table, chunk);
  const orphans = ctx.orphans.get(table.source.name);
  const rejects: BadRow[] = [];
  let written = 0;
  const columns = table.columns.map((c) => quoteIdent(c.name)).join(', ');
  const n = table.columns.length;
  const digest = ctx.digest ? new SourceDigestBuilder(table, chunk) : undefined;

  function* batches(): Generator<string> {
    let batch = '';
    let rowsInBatch = 0;
    for (const row of iterateRows(ctx.db, sql, params)) {
      const converted = convertRow(table, row, ctx.raw, orphans);
      if (!Array.isArray(converted)) {
        if (ctx.onError === 'stop') throw new BadRowError(converted);
        rejects.push(converted);
      } else {
        for (let i = 0; i < n; i++) {
          const v = converted[i];
          batch += v === null || v === undefined ? '\\N' : escapeCopy(v);
          batch += i + 1 < n ? '\t' : '\n';
        }
        if (n === 0) batch += '\n';
        written++;
        digest?.add(converted);
      }
      rowsInBatch++;
      if (batch.length >= BATCH_CHARS) {
        if (ctx.aborted()) throw new AbortedError('aborted');
        ctx.onRows(table.source.name, rowsInBatch);
        rowsInBatch = 0;
        yield batch;
        batch = '';
      }
    }
    ctx.onRows(table.source.name, rowsInBatch);
    if (batch.length > 0) yield batch;
  }

  await ctx.client.query('BEGIN');
  try {
    const copy = ctx.client.query(copyStreams.from(`COPY ${quoteIdent(table.name)} (${columns}) FROM STDIN`));
    await pipeline(Readable.from(batches(), { objectMode: false }), copy);
    await ctx.client.query(
      `INSERT INTO ${STATE_SCHEMA}.chunks (run_id, table_name, chunk, first_rowid, last_rowid, rows_written, rows_rejected)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        ctx.runId,
        table.source.name,
        chunk.index,
        chunk.lo?.toString() ?? null,
        chunk.hi?.toString() ?? null,
        written,
        rejects.length,
      ],
    );
    if (rejects.length > 0) {
      await ctx.client.query(
        `INSERT INTO ${STATE_SCHEMA}.rejects (run_id, table_name, chunk, rowid, record)
         SELECT $1, $2, $3, r.rowid, r.record FROM unnest($4::bigint[], $5::text[]) AS r(rowid, record)`,
        [
          ctx.runId,
          table.source.name,
          chunk.index,
          rejects.map((r) => r.rowid),
          rejects.map((r) => JSON.stringify(r)),
        ],
      );
    }
    await ctx.client.query('COMMIT');
  } catch (error) {
    await ctx.client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return { written, rejected: rejects.length, ...(digest ? { digest: digest.result() } : {}) };
}
