import { isUniqueViolation } from '../../common/database-errors';
import type pg from 'pg';
import { MigrationError } from '../model/errors';
import type { SourceSchema, SourceView } from '../model/catalog';
import type { DdlStatement, MigrationPlan, NotCarried, PlannedTable } from '../model/plan';
import { groupByWithKeyOf, ungroupedQualifier } from '../schema/bare-columns';
import { foreignKeyStatements, translationContext, usesNocase, viewStatement } from '../schema/ddl';
import { triggerStatements } from '../schema/trigger-translation';
import type { TranslationContext } from '../schema/expression-translation';
import { viewRefusedBySqlite } from '../source/sqlite-schema';
import { objectExists, readTargetTables } from '../target/pg-catalog';
import { rejectDuplicates, rejectOrphanedChildren } from '../target/rejected-children';
import { resetSequences } from '../target/sequences';
import { createNocaseCollation } from './create-tables';
import type { RunContext } from './run-context';

/** How runDdl treats one step of a statement built in parts (a primary key on its own index). */
export interface DdlStep {
  /** Whether to list the statement in the report's `created` (default: yes). */
  record?: boolean;
  /** What shows it already done (default: a constraint or index of its name). */
  exists?: (client: pg.Client) => Promise<boolean>;
}

/**
 * Runs one DDL statement. Keys, unique constraints and indexes and foreign keys must hold (a
 * failure fails the run; under --on-error reject the rows a unique index refuses are rejected
 * first); an index, CHECK or view PostgreSQL refuses is listed as not carried over.
 */
export async function runDdl(
  ctx: RunContext,
  client: pg.Client,
  s: DdlStatement,
  notCarried: NotCarried[],
  table?: PlannedTable,
  step: DdlStep = {},
): Promise<boolean> {
  const record = (): boolean => {
    if (step.record !== false) ctx.report.created.push(s);
    return true;
  };
  const exists = step.exists ?? ((c: pg.Client) => objectExists(c, s.table, s.name));
  if (s.kind !== 'view' && (await exists(client))) return record();
  try {
    await client.query(s.sql);
    return record();
  } catch (error) {
    const detail = (error as { detail?: string }).detail;
    const message = (error as Error).message + (detail ? ` (${detail})` : '');
    if (s.kind === 'primary key' || s.kind === 'unique' || s.kind === 'foreign key') {
      const duplicates = isUniqueViolation(error) && s.unique !== undefined;
      if (duplicates && table && ctx.options.onError === 'reject') {
        await rejectRefusedDuplicates(ctx, client, s, table);
        return runDdl(ctx, client, s, notCarried, undefined, step);
      }
      const hint = duplicates
        ? '. The source holds rows that are distinct in SQLite but equal in PostgreSQL (values converted, or compared under a collation); fix them, or run with --on-error reject to set the later ones aside'
        : '';
      throw new MigrationError(`cannot add ${s.kind} "${s.name}" on "${s.table}": ${message}${hint}`);
    }
    notCarried.push({
      object: `${s.table}: ${s.name}`,
      kind: s.kind,
      reason: `PostgreSQL refused ${s.sql}: ${message}`,
    });
    return false;
  }
}

/** Rejects every row but the first of each group a unique index finds equal, with a line each. */
async function rejectRefusedDuplicates(
  ctx: RunContext,
  client: pg.Client,
  s: DdlStatement,
  table: PlannedTable,
): Promise<void> {
  if (!s.unique) return;
  const n = await rejectDuplicates(client, ctx.runId ?? '', table, { name: s.name, ...s.unique });
  const report = ctx.report.tables.find((x) => x.table === table.name);
  if (report) {
    report.rowsWritten -= n;
    report.rowsRejected += n;
  }
  ctx.say(`${table.name}: ${n} row(s) rejected as duplicates under unique index "${s.name}"`);
}

/** Phase 4 (after every table's own keys and indexes): foreign keys, views, sequences. */
export async function finishSchema(
  ctx: RunContext,
  plan: MigrationPlan,
  schema: SourceSchema,
): Promise<void> {
  const fks = foreignKeyStatements(plan.tables, plan.notCarried, plan.keptOrphans);
  if (ctx.options.onError === 'reject' || ctx.options.orphans === 'reject')
    await rejectChildrenOfRejectedRows(ctx, plan, fks);
  for (const s of fks) await runDdl(ctx, ctx.pg, s, plan.notCarried);
  await createViews(ctx, plan, schema);
  // Last, once every row is in: a trigger must not fire for the copy. An online run creates them at
  // its cut-over, so they don't fire for the changes it applies either.
  if (!ctx.options.online) await createTriggers(ctx, plan, schema);
  const catalog = await readTargetTables(ctx.pg);
  ctx.report.sequences = await resetSequences(ctx.pg, plan.tables, catalog);
}

async function createViews(ctx: RunContext, plan: MigrationPlan, schema: SourceSchema): Promise<void> {
  const ctxSql = translationContext(plan.tables, schema.views);
  if (usesNocase([], schema.views)) await createNocaseCollation(ctx);
  let remaining = schema.views.map((v) => ({ v, error: '' }));
  // Views may depend on each other: retry until no more can be created.
  for (let progress = true; progress && remaining.length > 0;) {
    progress = false;
    const next: typeof remaining = [];
    for (const item of remaining) {
      const outcome = await createView(ctx, plan, item.v, ctxSql);
      if (outcome === 'created') progress = true;
      else if (outcome.untranslatable)
        plan.notCarried.push({ object: item.v.name, kind: 'view', reason: outcome.error });
      else next.push({ v: item.v, error: outcome.error });
    }
    remaining = next;
  }
  for (const item of remaining)
    plan.notCarried.push({ object: item.v.name, kind: 'view', reason: item.error });
}

/** Each trigger as a PL/pgSQL function and trigger (schema/trigger-translation), or listed with why not. */
export async function createTriggers(
  ctx: RunContext,
  plan: MigrationPlan,
  schema: SourceSchema,
): Promise<void> {
  const sql = translationContext(plan.tables, schema.views);
  const named = new Set(schema.triggers);
  for (const trigger of (schema.triggerDefinitions ?? []).filter((t) => named.has(t.name))) {
    let statements: DdlStatement[];
    try {
      statements = triggerStatements(trigger, plan.tables, sql);
    } catch (error) {
      plan.notCarried.push({ object: trigger.name, kind: 'trigger', reason: (error as Error).message });
      continue;
    }
    for (const s of statements) if (!(await runDdl(ctx, ctx.pg, s, plan.notCarried))) break;
  }
}

/**
 * Creates one view; a bare column PostgreSQL refuses gets its table's key added to the GROUP BY
 * where that keeps the meaning (schema/bare-columns), else the view is refused with the reason.
 */
async function createView(
  ctx: RunContext,
  plan: MigrationPlan,
  view: SourceView,
  sql: TranslationContext,
): Promise<'created' | { error: string; untranslatable: boolean }> {
  // Judged by the SQLite this tool ships: a view it cannot run has no rows to carry.
  const refused = viewRefusedBySqlite(ctx.source.db, view.name);
  if (refused !== undefined)
    return { error: `SQLite itself cannot run this view: ${refused}`, untranslatable: true };
  let current = view;
  for (let attempt = 0; attempt < 8; attempt++) {
    let statement: DdlStatement;
    try {
      statement = viewStatement(current, sql);
    } catch (error) {
      return { error: (error as Error).message, untranslatable: true };
    }
    try {
      await ctx.pg.query(statement.sql);
      ctx.report.created.push(statement);
      return 'created';
    } catch (error) {
      const message = (error as Error).message;
      const qualifier = ungroupedQualifier(message);
      const fixed = qualifier ? groupByWithKeyOf(current.sql, qualifier, plan.tables) : undefined;
      if (!fixed)
        return { error: `PostgreSQL refused the translated view: ${message}`, untranslatable: false };
      if ('reason' in fixed) return { error: fixed.reason, untranslatable: true };
      current = { ...current, sql: fixed.sql };
    }
  }
  return { error: 'bare columns of too many tables in an aggregate query', untranslatable: true };
}

/**
 * Under --on-error reject a rejected parent row leaves its children pointing nowhere. They are
 * rejected too (moved to the reject file with the reason), level by level, before the foreign keys
 * are added, so the keys hold and every row is accounted for.
 */
async function rejectChildrenOfRejectedRows(
  ctx: RunContext,
  plan: MigrationPlan,
  fks: DdlStatement[],
): Promise<void> {
  for (let moved = true; moved;) {
    moved = false;
    for (const s of fks) {
      const fk = s.foreignKey;
      const t = plan.tables.find((x) => x.name === s.table);
      // A NOT VALID key keeps its orphans on purpose (--orphans keep).
      if (!fk || !t || s.notValid) continue;
      const n = await rejectOrphanedChildren(ctx.pg, ctx.runId ?? '', t, fk);
      if (n === 0) continue;
      const report = ctx.report.tables.find((x) => x.table === t.name);
      if (report) {
        report.rowsWritten -= n;
        report.rowsRejected += n;
      }
      ctx.say(`${t.name}: ${n} row(s) rejected because their parent row in "${fk.parent}" was rejected`);
      moved = true;
    }
  }
}
