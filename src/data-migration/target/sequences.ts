import type pg from 'pg';
import type { PlannedTable } from '../model/plan';
import { quoteIdent } from '../schema/sql-tokens';
import type { TargetTable } from '../model/catalog';
import type { SequenceState } from '../model/report';

/**
 * Moves every identity/serial sequence of the loaded tables above both max(id) and the SQLite
 * AUTOINCREMENT high-water mark, so deleted ids are never handed out again.
 */
export async function resetSequences(
  client: pg.Client,
  tables: PlannedTable[],
  catalog: Map<string, TargetTable>,
): Promise<SequenceState[]> {
  const out: SequenceState[] = [];
  for (const t of tables) {
    const target = catalog.get(t.name);
    for (const col of target?.columns ?? []) {
      if (!col.sequence) continue;
      const planned = t.columns.find((c) => c.name === col.name);
      const sqliteSeq = planned && t.source.rowidAlias === planned.source.name ? t.source.sequence : null;
      const { rows } = await client.query<{ next: string; high: string }>(
        sequenceResetSql(t.name, col.name, '$1::regclass', '$2::numeric'),
        [col.sequence, (sqliteSeq ?? 0n).toString()],
      );
      out.push({
        table: t.name,
        column: col.name,
        sequence: col.sequence,
        highWater: rows[0]?.high ?? '0',
        nextValue: rows[0]?.next ?? '1',
      });
    }
  }
  return out;
}

/**
 * The statement moving `sequence` (an SQL expression of a regclass) above max(column) and `floor`
 * (an SQL numeric), answering the next value and the high-water mark: run here with parameters,
 * and written with literals into an exported script.
 */
export function sequenceResetSql(table: string, column: string, sequence: string, floor: string): string {
  return `WITH m AS (SELECT GREATEST(coalesce(max(${quoteIdent(column)})::numeric, 0), ${floor}) AS high FROM ${quoteIdent(table)})
         SELECT CASE WHEN high >= 1 THEN setval(${sequence}, high::bigint, true) + 1
                     ELSE setval(${sequence}, 1, false) END::text AS next, high::text FROM m`;
}

/** Reads (without consuming) the next value of each sequence and checks it is above the high-water mark. */
export async function checkSequences(client: pg.Client, states: SequenceState[]): Promise<string[]> {
  const problems: string[] = [];
  for (const s of states) {
    const { rows } = await client.query<{ next: string }>(
      `SELECT (CASE WHEN is_called THEN last_value + 1 ELSE last_value END)::text AS next FROM ${s.sequence}`,
    );
    const next = BigInt(rows[0]?.next ?? '0');
    if (next <= BigInt(s.highWater)) {
      problems.push(
        `sequence ${s.sequence} of "${s.table}"."${s.column}" would hand out ${next}, not above ${s.highWater}`,
      );
    }
  }
  return problems;
}

/** The highest id a column has handed out: its max, or `floor` (sqlite_sequence) when higher. */
export async function highWaterMark(
  client: pg.Client,
  table: string,
  column: string,
  floor: bigint,
): Promise<string> {
  const { rows } = await client.query<{ high: string }>(
    `SELECT GREATEST(coalesce(max(${quoteIdent(column)})::numeric, 0), $1::numeric)::text AS high FROM ${quoteIdent(table)}`,
    [floor.toString()],
  );
  return rows[0]?.high ?? '0';
}
