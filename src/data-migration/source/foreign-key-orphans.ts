import type Database from 'better-sqlite3';
import { jsonValue, rowKeyText } from '../convert/sqlite-value';
import { foreignKeyId, type OrphanSearch, type SqliteValue } from '../model/plan';
import {
  sourceKeyColumns,
  type SourceForeignKey,
  type SourceSchema,
  type SourceTable,
} from '../model/catalog';
import { sqliteIdent, sqlString } from './sqlite-schema';

interface FkCheckRow {
  table: string;
  rowid: bigint | null;
  parent: string;
  fkid: bigint;
}

/**
 * Rows whose foreign key points at no parent row, by table and rowid (PRAGMA foreign_key_check), or
 * by primary key for WITHOUT ROWID tables (the PRAGMA names no row of those: each foreign key is
 * looked up with NOT EXISTS instead), and how many rows break each foreign key.
 */
export function findOrphans(
  db: Database.Database,
  schema: SourceSchema,
  tables: Set<string>,
): OrphanSearch & { count: number } {
  const search: OrphanSearch = { index: new Map(), byForeignKey: new Map() };
  let count = 0;
  const note = (t: SourceTable, fk: SourceForeignKey, key: string): void => {
    const id = foreignKeyId(t.name, fk.id);
    search.byForeignKey.set(id, (search.byForeignKey.get(id) ?? 0) + 1);
    let m = search.index.get(t.name);
    if (!m) search.index.set(t.name, (m = new Map<string, { column: string; reason: string }>()));
    if (m.has(key)) return;
    count++;
    m.set(key, {
      column: fk.fromColumns[0] ?? '?',
      reason: `foreign key orphan: no row in "${fk.parentTable}"${fk.toColumns.length ? ` (${fk.toColumns.join(', ')})` : ''} matches (${fk.fromColumns.join(', ')})`,
    });
  };
  for (const t of schema.tables) {
    if (!tables.has(t.name) || t.foreignKeys.length === 0) continue;
    if (t.withoutRowid) {
      for (const fk of t.foreignKeys) {
        for (const key of withoutRowidOrphans(db, schema, t, fk)) note(t, fk, key);
      }
      continue;
    }
    let rows: FkCheckRow[];
    try {
      rows = db
        .prepare(`PRAGMA foreign_key_check(${sqlString(t.name)})`)
        .safeIntegers(true)
        .all() as FkCheckRow[];
    } catch {
      continue; // a FK naming a missing parent table: reported as not carried over by the schema step
    }
    for (const r of rows) {
      const fk = t.foreignKeys.find((f) => BigInt(f.id) === BigInt(r.fkid));
      if (fk) note(t, fk, r.rowid === null ? '' : r.rowid.toString());
    }
  }
  return { ...search, count };
}

/** The `rowKeyText` of each row of a WITHOUT ROWID table whose foreign key `fk` finds no parent. */
function withoutRowidOrphans(
  db: Database.Database,
  schema: SourceSchema,
  t: SourceTable,
  fk: SourceForeignKey,
): string[] {
  const parent = schema.tables.find((p) => p.name.toLowerCase() === fk.parentTable.toLowerCase());
  if (!parent) return [];
  const to = fk.toColumns.length > 0 ? fk.toColumns : sourceKeyColumns(parent);
  if (to.length !== fk.fromColumns.length) return [];
  // The key in column order, as the load's rows and the reject records list it.
  const key = t.columns.filter((c) => c.pkPosition > 0).map((c) => `c.${sqliteIdent(c.name)}`);
  const present = fk.fromColumns.map((c) => `c.${sqliteIdent(c)} IS NOT NULL`).join(' AND ');
  const match = fk.fromColumns
    .map((c, i) => `p.${sqliteIdent(to[i] ?? '')} = c.${sqliteIdent(c)}`)
    .join(' AND ');
  const rows = db
    .prepare(
      `SELECT ${key.join(', ')} FROM ${sqliteIdent(t.name)} c WHERE ${present}
         AND NOT EXISTS (SELECT 1 FROM ${sqliteIdent(parent.name)} p WHERE ${match})`,
    )
    .raw(true)
    .safeIntegers(true)
    .all() as SqliteValue[][];
  return rows.map((r) => rowKeyText(r.map((v) => jsonValue(v))));
}
