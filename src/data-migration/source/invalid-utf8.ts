import type Database from 'better-sqlite3';
import type { SourceTable } from '../model/catalog';
import { isValidUtf8 } from './source-reader';
import { sqliteIdent } from './sqlite-schema';

const VALID = 'pgmove_valid_utf8';

/**
 * How many values of each of `columns` are text whose stored bytes are not UTF-8 (one scan of the
 * table). Only run when `--invalid-utf8` asks for a fallback, so the report can say how many rows
 * were read in it, per column.
 */
export function invalidUtf8Counts(
  db: Database.Database,
  table: SourceTable,
  columns: string[],
): Map<string, number> {
  if (columns.length === 0) return new Map();
  db.function(VALID, { deterministic: true }, (bytes: unknown) =>
    Buffer.isBuffer(bytes) && !isValidUtf8(bytes) ? 0 : 1,
  );
  const sums = columns.map(
    (c, i) =>
      `sum(CASE WHEN typeof(${sqliteIdent(c)}) = 'text' AND NOT ${VALID}(CAST(${sqliteIdent(c)} AS BLOB)) THEN 1 ELSE 0 END) AS c${i}`,
  );
  const row = db.prepare(`SELECT ${sums.join(', ')} FROM ${sqliteIdent(table.name)}`).get() as Record<
    string,
    number | null
  >;
  return new Map(columns.map((c, i) => [c, row[`c${i}`] ?? 0]));
}
