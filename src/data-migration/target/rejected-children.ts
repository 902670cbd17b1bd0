import type pg from 'pg';
import type { PlannedTable } from '../model/plan';
import { quoteIdent } from '../schema/sql-tokens';
import { sqlLiteral, STATE_SCHEMA } from './run-state';

/**
 * Moves the rows of `table` whose foreign key points at no row of its parent (because the parent
 * row was rejected) out of the table and into the run's rejects, in one statement on the server:
 * no row passes through this process, however many move. Returns how many moved.
 */
export async function rejectOrphanedChildren(
  client: pg.Client,
  runId: string,
  table: PlannedTable,
  fk: { parent: string; from: string[]; to: string[] },
): Promise<number> {
  const result = await client.query(orphanedChildrenSql(table, fk, sqlLiteral(runId)));
  return result.rowCount ?? 0;
}

/**
 * The statement that moves them, the run given as an SQL expression (an exported script names its
 * run by the sequence value its own INSERT took).
 */
export function orphanedChildrenSql(
  table: PlannedTable,
  fk: { parent: string; from: string[]; to: string[] },
  runIdSql: string,
): string {
  const child = quoteIdent(table.name);
  const notNull = fk.from.map((c) => `c.${quoteIdent(c)} IS NOT NULL`).join(' AND ');
  const match = fk.from.map((c, i) => `p.${quoteIdent(fk.to[i] ?? '')} = c.${quoteIdent(c)}`).join(' AND ');
  const alias = table.columns.find((c) => c.source.name === table.source.rowidAlias);
  const rowid = alias ? `(gone.${quoteIdent(alias.name)})::text` : 'NULL::text';
  const name = sqlLiteral(table.source.name);
  const reason = sqlLiteral(`foreign key orphan: its parent row in "${fk.parent}" was rejected`);
  // The record as the load writes one (BadRow's fields in order), the values as PostgreSQL holds them.
  const record = `concat('{"table":', to_json(${name}::text), ',"rowid":', coalesce(to_json(${rowid})::text, 'null'),
    ',"key":null,"column":', to_json(${sqlLiteral(fk.from[0] ?? '')}::text), ',"reason":', to_json(${reason}::text),
    ',"preview":"","values":', to_jsonb(gone.*), '}')`;
  return `WITH gone AS (DELETE FROM ${child} c WHERE ${notNull} AND NOT EXISTS (SELECT 1 FROM ${quoteIdent(fk.parent)} p WHERE ${match}) RETURNING c.*)
     INSERT INTO ${STATE_SCHEMA}.rejects (run_id, table_name, chunk, rowid, record)
     SELECT ${runIdSql}, ${name}, -1, (${rowid})::bigint, ${record} FROM gone`;
}
