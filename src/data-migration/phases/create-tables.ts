import { MigrationError } from '../model/errors';
import type { MigrationPlan } from '../model/plan';
import { NOCASE_COLLATION_SQL } from '../schema/collation';
import { createTableSql, usesNocase } from '../schema/ddl';
import { readTableStates, setTableState } from '../target/run-state';
import type { RunContext } from './run-context';

/** Phase 2: creates the tables missing on the target, each with its state row in one transaction. */
export async function createTables(ctx: RunContext, plan: MigrationPlan): Promise<void> {
  const client = ctx.pg;
  const runId = ctx.runId ?? '';
  const states = await readTableStates(client, runId);
  if (usesNocase(plan.tables, [])) await createNocaseCollation(ctx);
  for (const t of plan.tables) {
    if (states.has(t.name)) continue;
    await client.query('BEGIN');
    try {
      if (!t.exists) await client.query(createTableSql(t));
      await setTableState(client, runId, t.name, !t.exists, 'loading');
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw new MigrationError(`cannot create table "${t.name}": ${(error as Error).message}`);
    }
  }
}

/** The `nocase` collation (SQLite's NOCASE) that columns, indexes and views use; it needs ICU. */
export async function createNocaseCollation(ctx: RunContext): Promise<void> {
  try {
    await ctx.pg.query(NOCASE_COLLATION_SQL);
  } catch (error) {
    throw new MigrationError(
      `cannot create the collation for SQLite's NOCASE (${NOCASE_COLLATION_SQL}): ${(error as Error).message}. PostgreSQL built with ICU is needed`,
    );
  }
}
