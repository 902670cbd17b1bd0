import { makeConverter } from '../convert/value-converter';
import type { PlannedColumn, PlannedTable } from '../model/plan';

/** A planned table without its converter functions, so it can cross to a worker thread. */
export type PlainTable = Omit<PlannedTable, 'columns'> & { columns: Omit<PlannedColumn, 'converter'>[] };

export function toPlainTable(t: PlannedTable): PlainTable {
  return { ...t, columns: t.columns.map(({ converter: _converter, ...rest }) => rest) };
}

export function fromPlainTable(t: PlainTable, sourceZone: string | undefined): PlannedTable {
  return {
    ...t,
    columns: t.columns.map((c) => ({
      ...c,
      converter: makeConverter(c.type, { notNull: c.notNull, sourceZone }),
    })),
  };
}
