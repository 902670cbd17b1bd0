import type pg from 'pg';
import { rowKeyText } from '../convert/sqlite-value';
import copyStreams from 'pg-copy-streams';
import { quoteIdent } from '../schema/sql-tokens';
import type { SourceSnapshot } from '../model/report';
import { copyTextDecoder } from './copy-text-decoder';

/**
 * `data_migration_runs` is the public record (the app's /health reads its latest row). The schema
 * `data_migration_state` holds what --resume needs: which tables a run created, which chunks are
 * committed (each chunk row is written in the same transaction as the chunk's data, so after a
 * SIGKILL a chunk is either fully there and marked, or absent and unmarked) and the rejected rows.
 */
export const STATE_SCHEMA = 'data_migration_state';

/** The bookkeeping tables, created when missing (by a run, or by an exported script as it loads). */
export const STATE_TABLES_SQL = `
    CREATE TABLE IF NOT EXISTS data_migration_runs (
      id bigserial primary key,
      started_at timestamptz not null,
      finished_at timestamptz,
      source text not null,
      source_sha256 text,
      status text not null,
      verified boolean,
      tables_count int,
      rows_written bigint,
      rows_rejected bigint,
      report jsonb
    );
    -- The snapshot of the source a run reads (path, method, time): --resume reads the same one.
    ALTER TABLE data_migration_runs ADD COLUMN IF NOT EXISTS snapshot jsonb;
    CREATE SCHEMA IF NOT EXISTS ${STATE_SCHEMA};
    CREATE TABLE IF NOT EXISTS ${STATE_SCHEMA}.tables (
      run_id bigint NOT NULL,
      table_name text NOT NULL,
      created boolean NOT NULL,
      status text NOT NULL,
      PRIMARY KEY (run_id, table_name)
    );
    CREATE TABLE IF NOT EXISTS ${STATE_SCHEMA}.chunks (
      run_id bigint NOT NULL,
      table_name text NOT NULL,
      chunk int NOT NULL,
      first_rowid bigint,
      last_rowid bigint,
      rows_written bigint NOT NULL,
      rows_rejected bigint NOT NULL,
      PRIMARY KEY (run_id, table_name, chunk)
    );
    -- An online run: the change-log position its catch-up has applied.
    CREATE TABLE IF NOT EXISTS ${STATE_SCHEMA}.online (
      run_id bigint PRIMARY KEY,
      position bigint NOT NULL,
      updated_at timestamptz NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ${STATE_SCHEMA}.rejects (
      run_id bigint NOT NULL,
      table_name text NOT NULL,
      chunk int NOT NULL,
      rowid bigint,
      -- JSON text, not jsonb: a rejected value may hold a NUL character, which jsonb refuses.
      record text NOT NULL
    );`;

export async function ensureStateTables(client: pg.Client): Promise<void> {
  await client.query(STATE_TABLES_SQL);
}

/** True when an earlier run has created the bookkeeping tables on this target. */
export async function stateTablesExist(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ found: boolean }>(
    `SELECT to_regclass('data_migration_runs') IS NOT NULL AS found`,
  );
  return rows[0]?.found ?? false;
}

export interface RunRow {
  id: string;
  status: string;
  source_sha256: string | null;
  snapshot: SourceSnapshot | null;
}

export async function startRun(
  client: pg.Client,
  source: string,
  sha256: string,
  snapshot: SourceSnapshot | undefined,
): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO data_migration_runs (started_at, source, source_sha256, status, snapshot) VALUES (now(), $1, $2, 'running', $3::jsonb) RETURNING id::text`,
    [source, sha256, snapshot ? JSON.stringify(snapshot) : null],
  );
  return rows[0]?.id ?? '';
}

/** Marks an interrupted run running again (--resume). */
export async function reopenRun(client: pg.Client, runId: string): Promise<void> {
  await client.query(`UPDATE data_migration_runs SET status = 'running', finished_at = NULL WHERE id = $1`, [
    runId,
  ]);
}

/** The latest run that did not finish, for --resume. */
export async function latestUnfinishedRun(client: pg.Client): Promise<RunRow | undefined> {
  const { rows } = await client.query<RunRow>(
    `SELECT id::text, status, source_sha256, snapshot FROM data_migration_runs ORDER BY id DESC LIMIT 1`,
  );
  const last = rows[0];
  return last && (last.status === 'running' || last.status === 'failed') ? last : undefined;
}

export async function latestRun(client: pg.Client): Promise<RunRow | undefined> {
  const { rows } = await client.query<RunRow>(
    `SELECT id::text, status, source_sha256, snapshot FROM data_migration_runs ORDER BY id DESC LIMIT 1`,
  );
  return rows[0];
}

export interface TableState {
  created: boolean;
  status: string;
}

export async function readTableStates(client: pg.Client, runId: string): Promise<Map<string, TableState>> {
  const { rows } = await client.query<{ table_name: string; created: boolean; status: string }>(
    `SELECT table_name, created, status FROM ${STATE_SCHEMA}.tables WHERE run_id = $1`,
    [runId],
  );
  return new Map(rows.map((r) => [r.table_name, { created: r.created, status: r.status }]));
}

export interface ChunkState {
  rowsWritten: number;
  rowsRejected: number;
}

export async function readChunkStates(
  client: pg.Client,
  runId: string,
): Promise<Map<string, Map<number, ChunkState>>> {
  const { rows } = await client.query<{
    table_name: string;
    chunk: number;
    rows_written: string;
    rows_rejected: string;
  }>(
    `SELECT table_name, chunk, rows_written::text, rows_rejected::text FROM ${STATE_SCHEMA}.chunks WHERE run_id = $1`,
    [runId],
  );
  const out = new Map<string, Map<number, ChunkState>>();
  for (const r of rows) {
    let m = out.get(r.table_name);
    if (!m) out.set(r.table_name, (m = new Map<number, ChunkState>()));
    m.set(r.chunk, { rowsWritten: Number(r.rows_written), rowsRejected: Number(r.rows_rejected) });
  }
  return out;
}

export async function setTableState(
  client: pg.Client,
  runId: string,
  table: string,
  created: boolean,
  status: string,
): Promise<void> {
  await client.query(
    `INSERT INTO ${STATE_SCHEMA}.tables (run_id, table_name, created, status) VALUES ($1, $2, $3, $4)
     ON CONFLICT (run_id, table_name) DO UPDATE SET status = EXCLUDED.status`,
    [runId, table, created, status],
  );
}

/** Every table some earlier run created (for --reset-target). */
export async function tablesCreatedByRuns(client: pg.Client): Promise<Set<string>> {
  const { rows } = await client.query<{ table_name: string }>(
    `SELECT DISTINCT table_name FROM ${STATE_SCHEMA}.tables WHERE created`,
  );
  return new Set(rows.map((r) => r.table_name));
}

export async function finishRun(
  client: pg.Client,
  runId: string,
  fields: {
    status: string;
    verified: boolean | null;
    tables: number;
    written: number;
    rejected: number;
    report: unknown;
  },
): Promise<void> {
  await client.query(
    `UPDATE data_migration_runs SET finished_at = now(), status = $2, verified = $3, tables_count = $4,
            rows_written = $5, rows_rejected = $6, report = $7::jsonb WHERE id = $1`,
    [
      runId,
      fields.status,
      fields.verified,
      fields.tables,
      fields.written,
      fields.rejected,
      jsonbSafe(fields.report),
    ],
  );
}

/** The COPY that stores reject records, one line each: run id, table, chunk, rowid, the record's JSON. */
export const REJECTS_COPY = `COPY ${STATE_SCHEMA}.rejects (run_id, table_name, chunk, rowid, record) FROM STDIN`;

/**
 * A table's reject records in chunk and rowid order, one per line (each ending in a newline), as
 * pieces of UTF-8 that may split a line anywhere: COPY's text decoded on the way.
 */
export async function* readRejects(client: pg.Client, runId: string, table: string): AsyncGenerator<Buffer> {
  const query = `SELECT record FROM ${STATE_SCHEMA}.rejects WHERE run_id = ${sqlLiteral(runId)} AND table_name = ${sqlLiteral(table)} ORDER BY chunk, rowid`;
  const decode = copyTextDecoder();
  for await (const piece of client.query(copyStreams.to(`COPY (${query}) TO STDOUT`))) {
    yield decode(piece as Buffer);
  }
}

/** Whether rows of `table` left it after its load because their parent row was rejected (chunk -1). */
export async function hasRejectedChildren(client: pg.Client, runId: string, table: string): Promise<boolean> {
  const { rows } = await client.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM ${STATE_SCHEMA}.rejects WHERE run_id = $1 AND table_name = $2 AND chunk = -1) AS found`,
    [runId, table],
  );
  return rows[0]?.found ?? false;
}

/** The rejected rowids of `table` in [lo, hi] (open-ended where null): one chunk's worth at a time. */
export async function rejectedRowids(
  client: pg.Client,
  runId: string,
  table: string,
  lo: bigint | null = null,
  hi: bigint | null = null,
): Promise<Set<string>> {
  const range = [
    ...(lo === null ? [] : [`rowid >= ${lo.toString()}`]),
    ...(hi === null ? [] : [`rowid <= ${hi.toString()}`]),
  ];
  const { rows } = await client.query<{ rowid: string | null; key: string | null }>(
    `SELECT rowid::text, CASE WHEN rowid IS NULL THEN record END AS key FROM ${STATE_SCHEMA}.rejects WHERE ${['run_id = $1', 'table_name = $2', ...range].join(' AND ')}`,
    [runId, table],
  );
  // A WITHOUT ROWID table's rows are named by their key (see rowIdentity).
  return new Set(
    rows.map(
      (r) => r.rowid ?? rowKeyText(Object.values((JSON.parse(r.key ?? '{}') as { key?: object }).key ?? {})),
    ),
  );
}

/** JSON for a jsonb column: jsonb refuses NUL characters, so they are spelled out as text. */
export function jsonbSafe(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'string' ? v.replaceAll('\u0000', '<NUL>') : typeof v === 'bigint' ? v.toString() : v,
  );
}

/** Forgets what a run loaded into `tables` (emptied after a stop): their chunks and rejects. */
export async function discardTables(
  client: pg.Client,
  runId: string,
  tables: { name: string; sourceName: string }[],
): Promise<void> {
  const sourceNames = tables.map((t) => t.sourceName);
  await client.query('BEGIN');
  await client.query(`TRUNCATE ${tables.map((t) => quoteIdent(t.name)).join(', ')}`);
  await client.query(`DELETE FROM ${STATE_SCHEMA}.chunks WHERE run_id = $1 AND table_name = ANY($2)`, [
    runId,
    sourceNames,
  ]);
  await client.query(`DELETE FROM ${STATE_SCHEMA}.rejects WHERE run_id = $1 AND table_name = ANY($2)`, [
    runId,
    sourceNames,
  ]);
  await client.query('COMMIT');
}

/** A string as an SQL literal, for statements that take no parameters (COPY, a script's). */
export function sqlLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
