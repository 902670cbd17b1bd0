import type pg from 'pg';
import type { PlannedTable } from '../model/plan';
import { quoteIdent } from '../schema/sql-tokens';
import { STATE_SCHEMA } from './run-state';

/**
 * Moves the rows of `table` whose foreign key points at no row of its parent (because the parent
 * row was rejected) out of the table and into the run's rejects, in one transaction. Returns how
 * many moved.
 */
export function rejectOrphanedChildren(
  client: pg.Client,
  runId: string,
  table: PlannedTable,
  fk: { parent: string; from: string[]; to: string[] },
): Promise<number> {
  const notNull = fk.from.map((c) => `c.${quoteIdent(c)} IS NOT NULL`).join(' AND ');
  const match = fk.from.map((c, i) => `p.${quoteIdent(fk.to[i] ?? '')} = c.${quoteIdent(c)}`).join(' AND ');
  return moveToRejects(client, runId, table, {
    where: `${notNull} AND NOT EXISTS (SELECT 1 FROM ${quoteIdent(fk.parent)} p WHERE ${match})`,
    column: fk.from[0] ?? '?',
    reason: `foreign key orphan: its parent row in "${fk.parent}" was rejected`,
  });
}

/**
 * Moves the rows of `table` that a unique index refuses out of the table and into the run's
 * rejects: of each group of rows equal under the index (`members`, within its `where`), every row
 * but the first in key order. Returns how many moved.
 */
export function rejectDuplicates(
  client: pg.Client,
  runId: string,
  table: PlannedTable,
  index: { name: string; members: string[]; where: string; column: string },
): Promise<number> {
  const key = table.columns.filter((c) => c.source.pkPosition > 0).map((c) => quoteIdent(c.name));
  const order = key.length > 0 ? key.join(', ') : 'ctid';
  const where = index.where ? ` WHERE ${index.where}` : '';
  return moveToRejects(client, runId, table, {
    where: `c.ctid IN (SELECT d.ctid FROM (SELECT ctid, row_number() OVER (PARTITION BY ${index.members.join(', ')} ORDER BY ${order}) AS n FROM ${quoteIdent(table.name)}${where}) d WHERE d.n > 1)`,
    column: index.column,
    reason: `duplicate under unique index "${index.name}": an earlier row (in key order) has the same value`,
  });
}

/** Deletes the rows of `table` (alias `c`) matching `where` and records each as rejected, in one transaction. */
async function moveToRejects(
  client: pg.Client,
  runId: string,
  table: PlannedTable,
  what: { where: string; column: string; reason: string },
): Promise<number> {
  const alias = table.columns.find((c) => c.source.name === table.source.rowidAlias);
  const rowid = alias ? `(gone.${quoteIdent(alias.name)})::text` : 'NULL';
  await client.query('BEGIN');
  try {
    const { rows } = await client.query<{ rowid: string | null; values: string }>(
      `WITH gone AS (DELETE FROM ${quoteIdent(table.name)} c WHERE ${what.where} RETURNING c.*)
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
      const records = rows.map((r) => {
        const values = JSON.parse(r.values) as Record<string, unknown>;
        return JSON.stringify({
          table: table.source.name,
          rowid: r.rowid,
          key: keyOf(values),
          column: what.column,
          reason: what.reason,
          preview: '',
          values,
        });
      });
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
