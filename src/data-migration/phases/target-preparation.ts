import { MigrationError } from '../model/errors';
import type { SourceSchema, TargetTable } from '../model/catalog';
import type { MigrationPlan } from '../model/plan';
import { buildPlan } from '../plan/migration-plan';
import { quoteIdent } from '../schema/sql-tokens';
import { readTargetTables, tableHasRows } from '../target/pg-catalog';
import { latestUnfinishedRun, reopenRun } from '../target/run-state';
import type { RunContext } from './run-context';

export interface TargetState {
  schema: SourceSchema;
  catalog: Map<string, TargetTable>;
  skip: string[];
  /** Tables earlier runs of this tool created on the target. */
  previousCreated: Set<string>;
  sha256: Promise<string>;
}

/**
 * Before a migration writes: `--resume` reopens the interrupted run, `--reset-target` empties what
 * earlier runs loaded, and otherwise non-empty target tables are refused. Returns the target's
 * catalog as the load will find it.
 */
export async function prepareTarget(ctx: RunContext, state: TargetState): Promise<Map<string, TargetTable>> {
  if (ctx.options.resume) {
    await reopenInterruptedRun(ctx, state.sha256);
    return state.catalog;
  }
  const planned = buildPlan(ctx.source.db, state.schema, state.catalog, {
    sourceZone: ctx.options.sourceZone,
    skipTables: state.skip,
  });
  if (ctx.options.resetTarget) await resetTarget(ctx, planned, state);
  else await refuseNonEmpty(ctx, planned, state.previousCreated);
  return readTargetTables(ctx.pg);
}

async function reopenInterruptedRun(ctx: RunContext, sha256: Promise<string>): Promise<void> {
  const last = await latestUnfinishedRun(ctx.pg);
  if (!last)
    throw new MigrationError('--resume: no interrupted or failed migration run on this target to resume');
  ctx.report.source.sha256 = await sha256;
  if (last.source_sha256 !== ctx.report.source.sha256) {
    throw new MigrationError(
      `--resume: the snapshot ${ctx.source.path} kept by the interrupted run changed since (sha256 differs); start again with --reset-target`,
    );
  }
  ctx.runId = last.id;
  await reopenRun(ctx.pg, last.id);
  ctx.say(`resuming run ${last.id}`);
}

async function refuseNonEmpty(
  ctx: RunContext,
  planned: MigrationPlan,
  previousCreated: Set<string>,
): Promise<void> {
  const nonEmpty: string[] = [];
  for (const t of planned.tables.filter((x) => x.exists)) {
    if (await tableHasRows(ctx.pg, quoteIdent(t.name))) nonEmpty.push(t.name);
  }
  if (nonEmpty.length > 0) {
    throw new MigrationError(
      `target tables are not empty: ${nonEmpty.map((n) => `"${n}"`).join(', ')}. Use --resume to finish an interrupted run or --reset-target to empty them first`,
    );
  }
  // Empty tables left by an earlier failed run of this tool are rebuilt from scratch.
  const stale = planned.tables.filter((t) => t.exists && previousCreated.has(t.name));
  if (stale.length > 0)
    await ctx.pg.query(`DROP TABLE IF EXISTS ${stale.map((t) => quoteIdent(t.name)).join(', ')} CASCADE`);
}

async function resetTarget(ctx: RunContext, plan: MigrationPlan, state: TargetState): Promise<void> {
  const { schema, previousCreated, catalog } = state;
  for (const v of schema.views) await ctx.pg.query(`DROP VIEW IF EXISTS ${quoteIdent(v.name)} CASCADE`);
  const ours = plan.tables
    .filter((t) => t.exists && previousCreated.has(t.name))
    .map((t) => quoteIdent(t.name));
  const theirs = plan.tables
    .filter((t) => t.exists && !previousCreated.has(t.name) && catalog.has(t.name))
    .map((t) => quoteIdent(t.name));
  if (ours.length > 0) await ctx.pg.query(`DROP TABLE IF EXISTS ${ours.join(', ')} CASCADE`);
  if (theirs.length > 0) await ctx.pg.query(`TRUNCATE ${theirs.join(', ')}`);
  ctx.say(
    `--reset-target: dropped ${ours.length} table(s) created by earlier runs, emptied ${theirs.length} existing table(s)`,
  );
}
