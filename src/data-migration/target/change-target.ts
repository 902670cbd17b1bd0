import type pg from 'pg';
import { MigrationError } from '../model/errors';
import type { PlannedTable } from '../model/plan';
import { quoteIdent } from '../schema/sql-tokens';
import { copyText } from './copy-in';
import { STATE_SCHEMA } from './run-state';

/**
 * The target half of applying captured changes, inside the caller's transaction: current rows
 * are staged by COPY and merged on the primary key (insert or update), gone keys staged and deleted.
 * Staging tables are temporary and emptied at each commit.
 */
export async function mergeRows(
  client: pg.Client,
  table: PlannedTable,
  keys: string[],
  uniques: string[][],
  rows: Buffer,
  stage: string,
): Promise<void> {
  const t = quoteIdent(table.name);
  const s = quoteIdent(stage);
  const cols = table.columns.map((c) => quoteIdent(c.name));
  const k = keys.map(quoteIdent);
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${s} (LIKE ${t}) ON COMMIT DELETE ROWS`);
  await copyText(client, `COPY ${s} (${cols.join(', ')}) FROM STDIN`, rows);
  const others = cols.filter((c) => !k.includes(c));
  const action =
    others.length === 0 ? 'NOTHING' : `UPDATE SET ${others.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`;
  const upsert = (where: string): string =>
    `INSERT INTO ${t} (${cols.join(', ')}) OVERRIDING SYSTEM VALUE SELECT ${cols.join(', ')} FROM ${s} s ${where}
     ON CONFLICT (${k.join(', ')}) DO ${action}`;
  if (uniques.length === 0) {
    await client.query(upsert(''));
    return;
  }
  // PostgreSQL checks a non-deferrable UNIQUE at each row, so a row taking a value another changed
  // row still holds on the target (a: x → z, b: y → x) waits for a later pass, when a has moved on.
  const pending = quoteIdent(`${stage}_pending`);
  await client.query(
    `CREATE TEMP TABLE IF NOT EXISTS ${pending} ON COMMIT DELETE ROWS AS SELECT ${k.join(', ')} FROM ${t} WITH NO DATA`,
  );
  await client.query(`INSERT INTO ${pending} SELECT ${k.join(', ')} FROM ${s}`);
  const sameKey = (a: string, b: string): string => k.map((c) => `${a}.${c} = ${b}.${c}`).join(' AND ');
  const free = uniques
    .map(
      (u) =>
        `NOT EXISTS (SELECT 1 FROM ${t} o WHERE ${u.map((c) => `o.${quoteIdent(c)} = s.${quoteIdent(c)}`).join(' AND ')} AND NOT (${sameKey('o', 's')}))`,
    )
    .join(' AND ');
  for (let left = Number.POSITIVE_INFINITY; left > 0;) {
    const merged = await client.query(
      `WITH merged AS (${upsert(`WHERE EXISTS (SELECT 1 FROM ${pending} p WHERE ${sameKey('p', 's')}) AND ${free}`)}
       RETURNING ${k.join(', ')})
       DELETE FROM ${pending} p USING merged m WHERE ${sameKey('p', 'm')}`,
    );
    const { rows } = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${pending}`);
    left = Number(rows[0]?.n ?? 0);
    if (left > 0 && (merged.rowCount ?? 0) === 0)
      throw new MigrationError(
        `catch-up of "${table.name}": ${left} changed row(s) trade unique values with each other (a swap inside one window), which PostgreSQL checks row by row and cannot merge; migrate while such swaps are paused, or offline`,
      );
  }
}

/** The query that reads back the merged rows (for their COPY text): those whose key was staged. */
export function mergedRowsQuery(table: PlannedTable, keys: string[], stage: string): string {
  const k = keys.map(quoteIdent).join(', ');
  return `SELECT ${table.columns.map((c) => `t.${quoteIdent(c.name)}`).join(', ')} FROM ${quoteIdent(table.name)} t
          WHERE (${keys.map((c) => `t.${quoteIdent(c)}`).join(', ')}) IN (SELECT ${k} FROM ${quoteIdent(stage)})`;
}

export async function deleteKeys(
  client: pg.Client,
  table: PlannedTable,
  keys: string[],
  goneKeys: Buffer,
  stage: string,
): Promise<number> {
  const t = quoteIdent(table.name);
  const s = quoteIdent(stage);
  const k = keys.map(quoteIdent).join(', ');
  await client.query(
    `CREATE TEMP TABLE IF NOT EXISTS ${s} ON COMMIT DELETE ROWS AS SELECT ${k} FROM ${t} WITH NO DATA`,
  );
  await copyText(client, `COPY ${s} (${k}) FROM STDIN`, goneKeys);
  const result = await client.query(
    `DELETE FROM ${t} t USING ${s} g WHERE ${keys.map((c) => `t.${quoteIdent(c)} = g.${quoteIdent(c)}`).join(' AND ')}`,
  );
  return result.rowCount ?? 0;
}

/** Row counts of the tables, in one statement (so it runs whole on the server once sent). */
export async function countRows(client: pg.Client, tables: PlannedTable[]): Promise<number[]> {
  if (tables.length === 0) return [];
  const { rows } = await client.query<Record<string, string>>(
    `SELECT ${tables.map((t, i) => `(SELECT count(*) FROM ${quoteIdent(t.name)})::text AS n${i}`).join(', ')}`,
  );
  return tables.map((_t, i) => Number(rows[0]?.[`n${i}`] ?? 0));
}

/** The log position the target has applied up to, stored with the changes in one transaction. */
export async function setOnlinePosition(client: pg.Client, runId: string, position: bigint): Promise<void> {
  await client.query(
    `INSERT INTO ${STATE_SCHEMA}.online (run_id, position, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (run_id) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`,
    [runId, position.toString()],
  );
}

/** The log position a run's catch-up has applied up to, if its catch-up began. */
export async function onlinePosition(client: pg.Client, runId: string): Promise<bigint | undefined> {
  const { rows } = await client.query<{ position: string }>(
    `SELECT position::text AS position FROM ${STATE_SCHEMA}.online WHERE run_id = $1`,
    [runId],
  );
  return rows[0] ? BigInt(rows[0].position) : undefined;
}
