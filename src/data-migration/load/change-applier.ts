import type pg from 'pg';
import { isForeignKeyViolation } from '../../common/database-errors';
import { MigrationError } from '../model/errors';
import { keyColumns, type PlannedTable, type SqliteValue } from '../model/plan';
import type { ChangeWindow, TableChanges } from '../source/change-reader';
import type { RawTextReader } from '../source/source-reader';
import { deleteKeys, mergedRowsQuery, mergeRows, setOnlinePosition } from '../target/change-target';
import { CopyDigest, copyOut } from '../verify/copy-digest';
import { copyLine } from './copy-text';
import { BadRowError, convertRow } from './row-conversion';

export interface Applied {
  rows: number;
  deleted: number;
}

/**
 * Applies one window of captured changes in one target transaction, with the window's log position:
 * gone keys deleted (children first), then current rows merged on the key (parents before
 * children), so foreign keys and unique values hold at every statement. Every merged row is read back and its COPY text compared
 * with the text sent. Applying a window twice gives the same result (it is a state, not a delta).
 * The client must be a `readback` session, so values print as the converters write them.
 */
export async function applyWindow(
  client: pg.Client,
  runId: string,
  window: ChangeWindow,
  parentsFirst: PlannedTable[],
  raw: RawTextReader,
): Promise<Applied> {
  const byTable = new Map(window.tables.map((c) => [c.table.name, c]));
  const applied: Applied = { rows: 0, deleted: 0 };
  await client.query('BEGIN');
  try {
    // Gone rows first, so a unique value a deleted row held (an INSERT OR REPLACE's victim) is free
    // for the row that took it; if a child still points at a gone parent until its own merge, the
    // deletes go last instead.
    await client.query('SAVEPOINT gone_first');
    let goneFirst = true;
    try {
      applied.deleted = await deleteGone(client, byTable, parentsFirst);
    } catch (error) {
      if (!isForeignKeyViolation(error)) throw error;
      await client.query('ROLLBACK TO SAVEPOINT gone_first');
      goneFirst = false;
    }
    for (const [i, table] of parentsFirst.entries()) {
      const changes = byTable.get(table.name);
      if (changes && changes.present.length > 0)
        applied.rows += await merge(client, changes, raw, `pgmove_rows_${i}`);
    }
    if (!goneFirst) applied.deleted = await deleteGone(client, byTable, parentsFirst);
    await setOnlinePosition(client, runId, window.to);
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Deletes the window's gone keys, children before parents; returns how many rows went. */
async function deleteGone(
  client: pg.Client,
  byTable: Map<string, TableChanges>,
  parentsFirst: PlannedTable[],
): Promise<number> {
  let deleted = 0;
  for (const [i, table] of [...parentsFirst.entries()].reverse()) {
    const changes = byTable.get(table.name);
    if (!changes || changes.gone.length === 0) continue;
    const keys = keyColumns(table);
    const text = changes.gone.map((k) =>
      copyLine(
        keys.map((c, j) => c.converter.convert(k[j] ?? null)),
        keys.map(() => false),
      ),
    );
    deleted += await deleteKeys(
      client,
      table,
      keys.map((c) => c.name),
      copyText(text),
      `pgmove_gone_${i}`,
    );
  }
  return deleted;
}

async function merge(
  client: pg.Client,
  changes: TableChanges,
  raw: RawTextReader,
  stage: string,
): Promise<number> {
  const { table } = changes;
  const plain = table.columns.map((c) => c.converter.plain);
  const lines = changes.present.map((row: SqliteValue[]) => {
    const converted = convertRow(table, row, raw, undefined);
    if (!Array.isArray(converted)) throw new BadRowError(converted);
    return copyLine(converted, plain);
  });
  const text = copyText(lines);
  const keys = keyColumns(table).map((c) => c.name);
  await mergeRows(client, table, keys, uniqueColumnSets(table), text, stage);
  const sent = new CopyDigest(false);
  sent.add(text);
  const stored = new CopyDigest(false);
  await copyOut(client, mergedRowsQuery(table, keys, stage), (piece) => stored.add(piece));
  const [a, b] = [sent.result(), stored.result()];
  if (a.rows !== b.rows || a.checksum !== b.checksum)
    throw new MigrationError(
      `catch-up of "${table.name}": ${b.rows} of ${a.rows} changed rows read back as sent; the target stored them differently`,
    );
  return lines.length;
}

/**
 * The target column sets of the table's UNIQUE indexes other than the key, for merging rows whose
 * unique values move between them. Partial and expression indexes can't be matched by equality.
 */
function uniqueColumnSets(table: PlannedTable): string[][] {
  const bySource = new Map(table.columns.map((c) => [c.source.name.toLowerCase(), c.name]));
  return table.source.indexes
    .filter((i) => i.unique && i.origin !== 'pk' && !i.partial)
    .map((i) => i.columns.map((c) => (c.name === null ? undefined : bySource.get(c.name.toLowerCase()))))
    .filter((cols): cols is string[] => cols.every((c) => c !== undefined));
}

function copyText(lines: string[]): Buffer {
  return Buffer.from(lines.map((l) => l + '\n').join(''), 'utf8');
}

/** Tables ordered so each comes after the tables its foreign keys point to (cycles keep source order). */
export function parentsFirst(tables: PlannedTable[]): PlannedTable[] {
  const byName = new Map(tables.map((t) => [t.source.name.toLowerCase(), t]));
  const out: PlannedTable[] = [];
  const seen = new Set<PlannedTable>();
  const visit = (t: PlannedTable, path: Set<PlannedTable>): void => {
    if (seen.has(t) || path.has(t)) return;
    path.add(t);
    for (const fk of t.source.foreignKeys) {
      const parent = byName.get(fk.parentTable.toLowerCase());
      if (parent && parent !== t) visit(parent, path);
    }
    seen.add(t);
    out.push(t);
  };
  for (const t of tables) visit(t, new Set());
  return out;
}
