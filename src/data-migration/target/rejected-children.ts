import type pg from 'pg';
import type { PlannedTable } from '../model/plan';
import { quoteIdent } from '../schema/sql-tokens';
import { STATE_SCHEMA } from './run-state';

/**
 * Moves the rows of `table` whose foreign key points at no row of its parent (because the parent
 * row was rejected) out of the table and into the run's rejects, in one transaction. Returns how
 * many moved.
 */
export async function rejectOrphanedChildren(
  client: pg.Client,
  runId: string,
  table: PlannedTable,
  fk: { parent: string; from: string[]; to: string[] },
): Promise<number> {
  const child = quoteIdent(table.name);
  const notNull = fk.from.map((c) => `c.${quoteIdent(c)} IS NOT NULL`).join(' AND ');
  const match = fk.from.map((c, i) => `p.${quoteIdent(fk.to[i] ?? '')} = c.${quoteIdent(c)}`).join(' AND ');
  const alias = table.columns.find((c) => c.source.name === table.source.rowidAlias);
  const rowid = alias ? `(gone.${quoteIdent(alias.name)})::text` : 'NULL';
  await client.query('BEGIN');
  try {
    const { rows } = await client.query<{ rowid: string | null; values: string }>(
      `WITH gone AS (DELETE FROM ${child} c WHERE ${notNull} AND NOT EXISTS (SELECT 1 FROM ${quoteIdent(fk.parent)} p WHERE ${match}) RETURNING c.*)
       SELECT ${rowid} AS rowid, to_jsonb(gone.*)::text AS values FROM gone`,
    );
    if (rows.length > 0) {
      // A WITHOUT ROWID table's row is named by its key, in column order (see rowIdentity).
      const keyOf = (values: Record<string, unknown>): Record<string, unknown> | null =>
        table.source.withoutRowid
          ? Object.fromEntries(
              table.columns
                .filter((c) => c.source.pkPosition > 0)
                .map((c) => [c.source.name, values[c.name]]),
            )
          : null;
      const records = rows.map((r) =>
        JSON.stringify({
          table: table.source.name,
          rowid: r.rowid,
          key: keyOf(JSON.parse(r.values) as Record<string, unknown>),
          column: fk.from[0],
          reason: `foreign key orphan: its parent row in "${fk.parent}" was rejected`,
          preview: '',
          values: JSON.parse(r.values) as unknown,
        }),
      );
      await client.query(
        `INSERT INTO ${STATE_SCHEMA}.rejects (run_id, table_name, chunk, rowid, record)
         SELECT $1, $2, -1, r.rowid, r.record FROM unnest($3::bigint[], $4::text[]) AS r(rowid, record)`,
        [runId, table.source.name, rows.map((r) => r.rowid), records],
      );
    }
    await client.query('COMMIT');
    return rows.length;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
