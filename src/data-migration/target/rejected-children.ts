import type pg from 'pg';
import type { PlannedTable } from '../model/plan';
import { quoteIdent } from '../schema/sql-tokens';
import { sqlLiteral, STATE_SCHEMA } from './run-state';

/** What to move out of a table into the run's rejects: the rows (alias `c`) matching `where`. */
interface RejectsMove {
  where: string;
  column: string;
  reason: string;
}

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
  const notNull = fk.from.map((c) => `c.${quoteIdent(c)} IS NOT NULL`).join(' AND ');
  const match = fk.from.map((c, i) => `p.${quoteIdent(fk.to[i] ?? '')} = c.${quoteIdent(c)}`).join(' AND ');
  return moveToRejectsSql(
    table,
    {
      where: `${notNull} AND NOT EXISTS (SELECT 1 FROM ${quoteIdent(fk.parent)} p WHERE ${match})`,
      column: fk.from[0] ?? '?',
      reason: `foreign key orphan: its parent row in "${fk.parent}" was rejected`,
    },
    runIdSql,
  );
}

/**
 * Moves the rows of `table` that a unique index refuses out of the table and into the run's
 * rejects: of each group of rows equal under the index (`members`, within its `where`), every row
 * but the first in key order. Returns how many moved.
 */
export async function rejectDuplicates(
  client: pg.Client,
  runId: string,
  table: PlannedTable,
  index: { name: string; members: string[]; where: string; column: string },
): Promise<number> {
  const key = table.columns.filter((c) => c.source.pkPosition > 0).map((c) => quoteIdent(c.name));
  const order = key.length > 0 ? key.join(', ') : 'ctid';
  const where = index.where ? ` WHERE ${index.where}` : '';
  const move: RejectsMove = {
    where: `c.ctid IN (SELECT d.ctid FROM (SELECT ctid, row_number() OVER (PARTITION BY ${index.members.join(', ')} ORDER BY ${order}) AS n FROM ${quoteIdent(table.name)}${where}) d WHERE d.n > 1)`,
    column: index.column,
    reason: `duplicate under unique index "${index.name}": an earlier row (in key order) has the same value`,
  };
  const result = await client.query(moveToRejectsSql(table, move, sqlLiteral(runId)));
  return result.rowCount ?? 0;
}

/**
 * One statement deleting the rows of `table` matching the move and recording each in the rejects,
 * as the load writes a record (BadRow's fields in order; a WITHOUT ROWID table's row named by its
 * key, in column order, see rowIdentity), the values as PostgreSQL holds them.
 */
function moveToRejectsSql(table: PlannedTable, move: RejectsMove, runIdSql: string): string {
  const alias = table.columns.find((c) => c.source.name === table.source.rowidAlias);
  const rowid = alias ? `(gone.${quoteIdent(alias.name)})::text` : 'NULL::text';
  const keyColumns = table.columns.filter((c) => c.source.pkPosition > 0);
  const key = table.source.withoutRowid
    ? `jsonb_build_object(${keyColumns.map((c) => `${sqlLiteral(c.source.name)}::text, gone.${quoteIdent(c.name)}`).join(', ')})::text`
    : `'null'`;
  const name = sqlLiteral(table.source.name);
  const record = `concat('{"table":', to_json(${name}::text), ',"rowid":', coalesce(to_json(${rowid})::text, 'null'),
    ',"key":', ${key}, ',"column":', to_json(${sqlLiteral(move.column)}::text), ',"reason":', to_json(${sqlLiteral(move.reason)}::text),
    ',"preview":"","values":', to_jsonb(gone.*), '}')`;
  return `WITH gone AS (DELETE FROM ${quoteIdent(table.name)} c WHERE ${move.where} RETURNING c.*)
     INSERT INTO ${STATE_SCHEMA}.rejects (run_id, table_name, chunk, rowid, record)
     SELECT ${runIdSql}, ${name}, -1, (${rowid})::bigint, ${record} FROM gone`;
}
