import Database from 'better-sqlite3';
import type { SqliteValue, PlannedTable, Chunk } from '../model/plan';
import { sqliteIdent } from './sqlite-schema';

export function openSource(path: string): Database.Database {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  // Scans are sequential, so SQLite's default page cache is enough; each job has its own connection
  // and a bigger cache would multiply the peak memory.
  db.pragma('query_only = 1');
  return db;
}

/** The name that reaches the rowid of `table` (a column may shadow `rowid`). */
export function rowidName(table: PlannedTable): string | null {
  if (table.source.withoutRowid) return null;
  if (table.source.rowidAlias) return sqliteIdent(table.source.rowidAlias);
  const names = new Set(table.source.columns.map((c) => c.name.toLowerCase()));
  return ['rowid', '_rowid_', 'oid'].find((n) => !names.has(n)) ?? null;
}

export function countRows(db: Database.Database, table: PlannedTable): number {
  const row = db.prepare(`SELECT count(*) AS n FROM ${sqliteIdent(table.source.name)}`).get() as {
    n: number;
  };
  return row.n;
}

/**
 * Splits a table into rowid ranges of about `chunkRows` rows. The split depends only on the source
 * file, so a resumed run computes the same chunks as the interrupted one.
 */
export function planChunks(db: Database.Database, table: PlannedTable, chunkRows: number): Chunk[] {
  const total = countRows(db, table);
  const rowid = rowidName(table);
  if (rowid === null || total <= chunkRows) {
    return [{ index: 0, lo: null, hi: null, rows: total }];
  }
  const { lo, hi } = db
    .prepare(`SELECT min(${rowid}) AS lo, max(${rowid}) AS hi FROM ${sqliteIdent(table.source.name)}`)
    .safeIntegers(true)
    .get() as { lo: bigint; hi: bigint };
  const count = Math.ceil(total / chunkRows);
  const span = hi - lo + 1n;
  const chunks: Chunk[] = [];
  for (let i = 0; i < count; i++) {
    const from = lo + (span * BigInt(i)) / BigInt(count);
    const to = lo + (span * BigInt(i + 1)) / BigInt(count) - 1n;
    chunks.push({ index: i, lo: from, hi: to, rows: Math.round(total / count) });
  }
  // The first and last ranges are open-ended so no row falls outside the plan.
  const first = chunks[0];
  const last = chunks.at(-1);
  if (first) first.lo = null;
  if (last) last.hi = null;
  return chunks;
}

// Rows fetched per call into SQLite: one call per row (iterate) costs about a fifth more per row.
const READ_BATCH = 2048;
const MAX_ROWID = 9223372036854775807n;

/**
 * The rows of a chunk, the rowid (or NULL) first and then the planned columns, in rowid order: read
 * in batches by rowid (keyset pagination), or in one pass for a table without a rowid.
 */
export function* chunkRows(
  db: Database.Database,
  table: PlannedTable,
  chunk: Chunk,
): Generator<SqliteValue[]> {
  const rowid = rowidName(table);
  const cols = table.columns.map((c) => sqliteIdent(c.source.name)).join(', ');
  const from = sqliteIdent(table.source.name);
  if (rowid === null) {
    const all = db.prepare(`SELECT NULL, ${cols} FROM ${from}`).raw(true).safeIntegers(true);
    yield* all.iterate() as IterableIterator<SqliteValue[]>;
    return;
  }
  const upper = chunk.hi === null ? '' : ` AND ${rowid} <= ?`;
  const page = db
    .prepare(
      `SELECT ${rowid}, ${cols} FROM ${from} WHERE ${rowid} >= ?${upper} ORDER BY ${rowid} LIMIT ${READ_BATCH}`,
    )
    .raw(true)
    .safeIntegers(true);
  let next = chunk.lo ?? -MAX_ROWID - 1n;
  for (;;) {
    const rows = (chunk.hi === null ? page.all(next) : page.all(next, chunk.hi)) as SqliteValue[][];
    yield* rows;
    const last = rows.at(-1)?.[0];
    if (rows.length < READ_BATCH || typeof last !== 'bigint' || last === MAX_ROWID) return;
    next = last + 1n;
  }
}

/**
 * better-sqlite3 decodes TEXT with replacement characters, so a U+FFFD in a value may hide invalid
 * UTF-8. This re-reads the stored bytes of one value to tell.
 */
export class RawTextReader {
  private db: Database.Database | undefined;
  constructor(private readonly path: string) {}

  read(table: PlannedTable, column: string, rowid: bigint | null, row: SqliteValue[]): Buffer | null {
    this.db ??= openSource(this.path);
    const name = rowidName(table);
    let sql: string;
    let params: SqliteValue[];
    if (name !== null && rowid !== null) {
      sql = `SELECT CAST(${sqliteIdent(column)} AS BLOB) FROM ${sqliteIdent(table.source.name)} WHERE ${name} = ?`;
      params = [rowid];
    } else {
      const pk = table.columns.map((c, i) => ({ c, v: row[i + 1] })).filter((x) => x.c.source.pkPosition > 0);
      if (pk.length === 0) return null;
      sql = `SELECT CAST(${sqliteIdent(column)} AS BLOB) FROM ${sqliteIdent(table.source.name)} WHERE ${pk
        .map((x) => `${sqliteIdent(x.c.source.name)} = ?`)
        .join(' AND ')}`;
      params = pk.map((x) => x.v ?? null);
    }
    const value = this.db
      .prepare(sql)
      .raw(true)
      .safeIntegers(true)
      .get(...params) as SqliteValue[] | undefined;
    const bytes = value?.[0];
    return Buffer.isBuffer(bytes) ? bytes : null;
  }

  close(): void {
    this.db?.close();
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function isValidUtf8(bytes: Buffer): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}
