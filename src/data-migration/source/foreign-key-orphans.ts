import type Database from 'better-sqlite3';
import type { OrphanIndex } from '../model/plan';
import type { SourceSchema } from '../model/catalog';

interface FkCheckRow {
  table: string;
  rowid: bigint | null;
  parent: string;
  fkid: bigint;
}

/** Rows whose foreign key points at no parent row (PRAGMA foreign_key_check), by table and rowid. */
export function findOrphans(
  db: Database.Database,
  schema: SourceSchema,
  tables: Set<string>,
): { index: OrphanIndex; count: number } {
  const index: OrphanIndex = new Map();
  let count = 0;
  for (const t of schema.tables) {
    if (!tables.has(t.name) || t.foreignKeys.length === 0) continue;
    let rows: FkCheckRow[];
    try {
      rows = db
        .prepare(`PRAGMA foreign_key_check(${"'" + t.name.replaceAll("'", "''") + "'"})`)
        .safeIntegers(true)
        .all() as FkCheckRow[];
    } catch {
      continue; // a FK naming a missing parent table: reported as not carried over by the schema step
    }
    for (const r of rows) {
      const fk = t.foreignKeys.find((f) => BigInt(f.id) === BigInt(r.fkid));
      if (!fk) continue;
      let m = index.get(t.name);
      if (!m) index.set(t.name, (m = new Map<string, { column: string; reason: string }>()));
      const key = r.rowid === null ? '' : r.rowid.toString();
      if (!m.has(key)) count++;
      m.set(key, {
        column: fk.fromColumns[0] ?? '?',
        reason: `foreign key orphan: no row in "${fk.parentTable}"${fk.toColumns.length ? ` (${fk.toColumns.join(', ')})` : ''} matches (${fk.fromColumns.join(', ')})`,
      });
    }
  }
  return { index, count };
}
