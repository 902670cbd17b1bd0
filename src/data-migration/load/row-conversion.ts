import type { SqliteValue, PlannedTable, BadRow } from '../model/plan';
import { BadValueError, jsonValue, previewValue, rowKeyText } from '../convert/sqlite-value';
import { decodeLegacy } from '../convert/legacy-text';
import { SuspectUtf8Error } from '../convert/value-converter';
import { isValidUtf8, type RawTextReader } from '../source/source-reader';

export class BadRowError extends Error {
  constructor(readonly bad: BadRow) {
    super(describeBadRow(bad));
  }
}

export function describeBadRow(bad: BadRow): string {
  const where = bad.rowid !== null ? `rowid ${bad.rowid}` : `key ${JSON.stringify(bad.key)}`;
  return `table "${bad.table}", ${where}, column "${bad.column}": ${bad.reason} (value ${bad.preview})`;
}

/**
 * Converts one source row (rowid first, then the planned columns) to target texts, or describes why
 * it cannot be loaded. `trusted` leaves to PostgreSQL the checks its input functions make anyway
 * (see ColumnConverter.convertTrusted).
 */
export function convertRow(
  table: PlannedTable,
  row: SqliteValue[],
  raw: RawTextReader,
  orphans: Map<string, { column: string; reason: string }> | undefined,
  trusted = false,
): (string | null)[] | BadRow {
  const rowid = row[0] === null || row[0] === undefined ? null : (row[0] as bigint);
  const id = orphans ? rowIdentity(table, row) : null;
  const orphan = id === null ? undefined : orphans?.get(id);
  if (orphan) {
    const index = table.columns.findIndex((c) => c.source.name === orphan.column);
    return { ...badRow(table, row, index, orphan.reason), setAside: true };
  }
  const out: (string | null)[] = new Array<string | null>(table.columns.length);
  const columns = table.columns;
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i];
    if (!column) continue;
    // A NULL key filled from the rowid (--null-keys rowid) is the rowid.
    const value = row[i + 1] ?? (column.nullFromRowid ? (row[0] ?? null) : null);
    try {
      out[i] = trusted ? column.converter.convertTrusted(value) : column.converter.convert(value);
    } catch (error) {
      if (error instanceof SuspectUtf8Error) {
        const bytes = raw.read(table, column.source.name, rowid, row);
        const invalid = bytes !== null && !isValidUtf8(bytes);
        if (invalid && !column.fallbackEncoding) {
          return badRow(table, row, i, 'invalid UTF-8 in text', { [column.source.name]: bytes });
        }
        try {
          // --invalid-utf8: the stored bytes read in the legacy encoding (counted in preflight).
          const text =
            invalid && column.fallbackEncoding ? decodeLegacy(bytes, column.fallbackEncoding) : value;
          out[i] = column.converter.convert(text, true);
          continue;
        } catch (again) {
          if (again instanceof BadValueError) return badRow(table, row, i, again.reason);
          throw again;
        }
      }
      if (error instanceof BadValueError)
        return {
          ...badRow(table, row, i, error.reason),
          ...(value === null && column.nullSetAside ? { setAside: true } : {}),
        };
      throw error;
    }
  }
  return out;
}

/** The row's identity in orphan and reject lists: its rowid, or its key for a WITHOUT ROWID table. */
export function rowIdentity(table: PlannedTable, row: SqliteValue[]): string | null {
  const rowid = row[0];
  if (rowid !== null && rowid !== undefined) return String(rowid);
  if (!table.source.withoutRowid) return null;
  return rowKeyText(
    table.columns.flatMap((c, i) => (c.source.pkPosition > 0 ? [jsonValue(row[i + 1] ?? null)] : [])),
  );
}

function badRow(
  table: PlannedTable,
  row: SqliteValue[],
  index: number,
  reason: string,
  rawBytes: Record<string, Buffer> = {},
): BadRow {
  const values: Record<string, unknown> = {};
  table.columns.forEach((c, i) => {
    values[c.source.name] = jsonValue(row[i + 1] ?? null, rawBytes[c.source.name]);
  });
  const rowid = row[0] === null || row[0] === undefined ? null : String(row[0]);
  const key =
    rowid === null
      ? Object.fromEntries(
          table.columns
            .filter((c) => c.source.pkPosition > 0)
            .map((c) => [c.source.name, values[c.source.name]]),
        )
      : null;
  const column = table.columns[index];
  const value = row[index + 1] ?? null;
  const raw = column ? rawBytes[column.source.name] : undefined;
  return {
    table: table.source.name,
    rowid,
    key,
    column: column?.source.name ?? '?',
    reason,
    preview: raw ? previewValue(raw) : previewValue(value),
    values,
  };
}
