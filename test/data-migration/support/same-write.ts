import Database from 'better-sqlite3';
import type pg from 'pg';

/** What one statement did on one side: accepted, or refused with the database's message. */
export type WriteOutcome = { ok: true } | { ok: false; error: string };

/**
 * Runs the same statement on the SQLite file and on the target, each in a transaction rolled back
 * afterwards (so probes do not change what later probes see), and returns both outcomes with the
 * rows of `read` (if given) as each side saw them after the write.
 */
export async function sameWrite(
  sqlitePath: string,
  client: pg.Client,
  sql: string,
  read?: string,
): Promise<{ sqlite: WriteOutcome; postgres: WriteOutcome; rows?: { sqlite: Rows; postgres: Rows } }> {
  const db = new Database(sqlitePath);
  let sqlite: WriteOutcome;
  let sqliteRows: Rows = [];
  try {
    db.exec('BEGIN');
    try {
      db.exec(sql);
      sqlite = { ok: true };
    } catch (error) {
      sqlite = { ok: false, error: (error as Error).message };
    }
    if (read) sqliteRows = (db.prepare(read).raw(true).all() as unknown[][]).map((r) => r.map(text));
    if (db.inTransaction) db.exec('ROLLBACK');
  } finally {
    db.close();
  }
  let postgres: WriteOutcome;
  let postgresRows: Rows = [];
  await client.query('BEGIN');
  try {
    await client.query(sql);
    postgres = { ok: true };
  } catch (error) {
    postgres = { ok: false, error: (error as Error).message };
    await client.query('ROLLBACK');
    await client.query('BEGIN');
  }
  if (read)
    postgresRows = (await client.query<unknown[]>({ text: read, rowMode: 'array' })).rows.map((r) =>
      r.map(text),
    );
  await client.query('ROLLBACK');
  return { sqlite, postgres, ...(read ? { rows: { sqlite: sqliteRows, postgres: postgresRows } } : {}) };
}

type Rows = (string | null)[][];

function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v)) return v.toString('hex');
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean')
    return String(v);
  return JSON.stringify(v);
}

/** The rows of one query on both sides, each row's values as text (NULL as null), in result order. */
export async function sameQuery(
  sqlitePath: string,
  client: pg.Client,
  sql: string,
): Promise<{ sqlite: (string | null)[][]; postgres: (string | null)[][] }> {
  const db = new Database(sqlitePath, { readonly: true });
  let sqlite: (string | null)[][];
  try {
    sqlite = (db.prepare(sql).raw(true).all() as unknown[][]).map((r) => r.map(text));
  } finally {
    db.close();
  }
  const { rows } = await client.query<unknown[]>({ text: sql, rowMode: 'array' });
  return { sqlite, postgres: rows.map((r) => r.map(text)) };
}
