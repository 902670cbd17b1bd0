import type Database from 'better-sqlite3';
import { sourceKeyColumns, type SourceTable } from '../model/catalog';
import { sqliteIdent } from './sqlite-schema';

/**
 * Rows whose primary key holds a NULL. SQLite allows it in a key that is not the rowid (`id integer
 * auto_increment primary key` from a MySQL port is not `INTEGER PRIMARY KEY`, so `id` stays NULL).
 */
export function nullKeyRows(
  db: Database.Database,
  table: SourceTable,
): { rows: number; firstRowid: string | null; column: string } | undefined {
  const key = sourceKeyColumns(table);
  if (key.length === 0 || table.rowidAlias) return undefined;
  const nulls = key.map((c) => `${sqliteIdent(c)} IS NULL`).join(' OR ');
  const rowid = table.withoutRowid ? 'NULL' : 'min(rowid)';
  const row = db
    .prepare(`SELECT count(*) AS n, ${rowid} AS first FROM ${sqliteIdent(table.name)} WHERE ${nulls}`)
    .safeIntegers(true)
    .get() as { n: bigint; first: bigint | null };
  if (row.n === 0n) return undefined;
  const column = key.find((c) => c !== undefined) ?? '?';
  return { rows: Number(row.n), firstRowid: row.first === null ? null : row.first.toString(), column };
}
