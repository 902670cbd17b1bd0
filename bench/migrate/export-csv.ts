import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import Database from 'better-sqlite3';

function csvField(value: string | number | bigint | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) || text === '' ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Writes one table of the benchmark database as CSV in PostgreSQL's input forms (DATETIME as UTC ISO),
 * so the raw `\copy` baseline does no conversion work at all.
 */
export async function exportTableCsv(
  sqlitePath: string,
  table: string,
  datetimeColumns: string[],
  out: string,
) {
  const db = new Database(sqlitePath, { readonly: true });
  const stream = createWriteStream(out);
  try {
    const rows = db.prepare(`SELECT * FROM "${table}" ORDER BY rowid`).iterate() as IterableIterator<
      Record<string, string | number | bigint | null>
    >;
    for (const row of rows) {
      for (const column of datetimeColumns) row[column] = `${row[column]}Z`;
      const line = Object.values(row).map(csvField).join(',') + '\n';
      if (!stream.write(line)) await once(stream, 'drain');
    }
  } finally {
    db.close();
    stream.end();
    await once(stream, 'finish');
  }
}
