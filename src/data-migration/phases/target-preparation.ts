import { MigrationError } from '../model/errors';
import type { SourceSchema, TargetTable } from '../model/catalog';
import type { MigrationPlan } from '../model/plan';
import { quoteIdent } from '../schema/sql-tokens';
import { tableHasRows } from '../target/pg-catalog';
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
 * The target's refusals, before anything is written: `--resume` needs an interrupted run whose kept
 * snapshot is unchanged; a plain run needs the tables it loads as they are to be empty.
 */
export async function checkTarget(ctx: RunContext, state: TargetState, plan: MigrationPlan): Promise<void> {
  if (ctx.options.resume) {
    const last = await latestUnfinishedRun(ctx.pg).catch(() => undefined);
    if (!last)
      throw new MigrationError('--resume: no interrupted or failed migration run on this target to resume');
    ctx.report.source.sha256 = await state.sha256;
    if (last.source_sha256 !== ctx.report.source.sha256) {
      throw new MigrationError(
        `--resume: the snapshot ${ctx.source.path} kept by the interrupted run changed since (sha256 differs); start again with --reset-target`,
      );
    }
  } else if (!ctx.options.resetTarget) {
    await refuseNonEmpty(ctx, plan);
  }
}

/**
 * Before the load, once every check has passed: `--resume` reopens the interrupted run,
 * `--reset-target` empties what earlier runs loaded, and otherwise empty tables earlier failed runs
 * created are dropped to be rebuilt.
 */
export async function prepareTarget(ctx: RunContext, state: TargetState, plan: MigrationPlan): Promise<void> {
  if (ctx.options.resume) {
    const last = await latestUnfinishedRun(ctx.pg);
    if (!last) throw new MigrationError('--resume: the interrupted run is gone');
    ctx.runId = last.id;
    await reopenRun(ctx.pg, last.id);
    ctx.say(`resuming run ${last.id}`);
  } else if (ctx.options.resetTarget) {
    await resetTarget(ctx, plan, state);
  } else {
    await dropStale(ctx, plan, state.previousCreated);
  }
}

async function refuseNonEmpty(ctx: RunContext, planned: MigrationPlan): Promise<void> {
  const nonEmpty: string[] = [];
  for (const t of planned.tables.filter((x) => x.exists)) {
    if (await tableHasRows(ctx.pg, quoteIdent(t.name))) nonEmpty.push(t.name);
  }
  if (nonEmpty.length > 0) {
    throw new MigrationError(
      `target tables are not empty: ${nonEmpty.map((n) => `"${n}"`).join(', ')}. Use --resume to finish an interrupted run or --reset-target to empty them first`,
    );
  }
}

/** Empty tables left by an earlier failed run of this tool are rebuilt from scratch. */
async function dropStale(
  ctx: RunContext,
  planned: MigrationPlan,
  previousCreated: Set<string>,
): Promise<void> {
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
