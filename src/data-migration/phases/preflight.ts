import { MigrationError } from '../model/errors';
import {
  keyColumns,
  type LegacyEncoding,
  type MigrationPlan,
  type OrphanIndex,
  type OrphanPolicy,
  type OrphanSearch,
} from '../model/plan';
import { invalidUtf8Counts } from '../source/invalid-utf8';
import { nullKeyRows } from '../source/null-keys';
import { INT_KINDS } from '../verify/source-digest';
import type { SourceSchema, TargetTable } from '../model/catalog';
import { buildPlan } from '../plan/migration-plan';
import { sha256File } from '../source/file-hash';
import { orphansOf, startSourceCheck } from '../source/source-checks';
import { withoutCaptureObjects } from '../source/capture';
import { readSqliteSchema } from '../source/sqlite-schema';
import { tryMigrationLock } from '../target/migration-lock';
import { readTargetTables } from '../target/pg-catalog';
import { ensureStateTables, readTableStates, tablesCreatedByRuns } from '../target/run-state';
import { openSession } from '../target/sessions';
import { startCapture } from './online';
import type { RunContext } from './run-context';
import { useSnapshot } from './snapshot';
import { checkTarget, prepareTarget } from './target-preparation';

export interface Preflighted {
  schema: SourceSchema;
  plan: MigrationPlan;
  orphans: OrphanIndex;
}

const BOOKKEEPING_TABLES = ['data_migration_runs'];
// The app's schema-migration history: the target keeps its own (it describes the PostgreSQL schema).
const SCHEMA_HISTORY_TABLES = ['schema_migrations'];

/**
 * Phase 1: connect (and lock), take the snapshot, check it, read its schema, prepare the target
 * (resume, reset or refuse) and plan every table. A refusal here writes nothing to the target.
 */
export async function preflight(ctx: RunContext): Promise<Preflighted> {
  const t0 = Date.now();
  // An export writes a script for a database the tool may never reach: it connects to none.
  if (ctx.command !== 'export') await connectTarget(ctx);
  // Changes are captured from before the snapshot, so the copy plus the change log is every later state.
  if (ctx.options.online) startCapture(ctx);
  await useSnapshot(ctx);
  // The snapshot's hash runs on its own thread while the checks below read it.
  const sha256 = sha256File(ctx.source.path);
  try {
    return await checkAndPlan(ctx, sha256, t0);
  } finally {
    ctx.report.source.sha256 ??= await sha256.catch(() => undefined);
  }
}

/** Connects to the target, checks its version and, for `migrate`, takes the advisory lock. */
async function connectTarget(ctx: RunContext): Promise<void> {
  ctx.pg = await openSession(ctx.options.target, 'control');
  const { rows: ver } = await ctx.pg.query<{ v: string; n: string }>(
    `SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n`,
  );
  ctx.report.preflight.serverVersion = ver[0]?.v;
  if (Number(ver[0]?.n ?? 0) < 160000) {
    ctx.report.preflight.warnings.push(
      `PostgreSQL ${ver[0]?.v ?? '?'} is older than 16, the version this tool is tested with`,
    );
    ctx.say(`warning: ${ctx.report.preflight.warnings.at(-1) ?? ''}`);
  }
  if (ctx.command !== 'migrate') return;
  if (!(await tryMigrationLock(ctx.pg)))
    throw new MigrationError(
      'another migration into this database is running (advisory lock held); wait for it to finish',
    );
  ctx.locked = true;
}

async function checkAndPlan(ctx: RunContext, sha256: Promise<string>, t0: number): Promise<Preflighted> {
  const path = ctx.source.path;
  // The integrity check and the orphan search each read the whole file: on their own threads they
  // overlap each other, the hash and the set-up below. Nothing in the target changes before the
  // integrity check has passed.
  const integrity = startSourceCheck({ check: 'integrity', path });
  integrity.catch(() => undefined);
  const assertSound = async (): Promise<void> => {
    const check = await integrity.catch((error: unknown) =>
      error instanceof Error ? error.message : String(error),
    );
    ctx.report.preflight.quickCheck = check;
    if (check !== 'ok')
      throw new MigrationError(`source ${ctx.options.sourcePath} fails PRAGMA quick_check: ${check}`);
  };
  let schema: SourceSchema;
  try {
    schema = withoutCaptureObjects(readSqliteSchema(ctx.source.db));
  } catch (error) {
    await assertSound();
    throw error;
  }
  const orphanSearch = startSourceCheck({ check: 'orphans', path, schema });
  orphanSearch.catch(() => undefined);
  await assertSound();

  // Every refusal comes before the first write to the target: a refused run leaves it as it was.
  const catalog = ctx.connected ? await readTargetTables(ctx.pg) : new Map<string, TargetTable>();
  const skip = [...ctx.options.skipTables, ...BOOKKEEPING_TABLES];
  for (const name of SCHEMA_HISTORY_TABLES) if (catalog.has(name)) skip.push(name);
  const previousCreated = ctx.writes
    ? await tablesCreatedByRuns(ctx.pg).catch(() => new Set<string>())
    : new Set<string>();
  const state = { schema, catalog, skip, previousCreated, sha256 };
  let plan = await planTables(ctx, schema, catalog, skip);
  if (ctx.writes) await checkTarget(ctx, state, plan);
  const found = await orphanSearch;
  const orphans = checkOrphans(ctx, plan, found);
  // Refused before the first write; applied again below to the plan the load uses.
  const nullKeys = new Map(plan.tables.map((t) => [t.source.name, nullKeyRows(ctx.source.db, t.source)]));
  checkNullKeys(ctx, plan, nullKeys, false);
  if (ctx.writes) {
    await ensureStateTables(ctx.pg);
    await prepareTarget(ctx, state, plan);
    // Tables dropped or reopened above change what is created and what is loaded as it is.
    plan = await planTables(ctx, schema, await readTargetTables(ctx.pg), skip);
  }
  checkNullKeys(ctx, plan, nullKeys, true);
  if (ctx.options.invalidUtf8) planFallbackDecoding(ctx, plan, ctx.options.invalidUtf8);
  // `verify` alone: any foreign key over orphans may have been created NOT VALID (`--orphans keep`).
  plan.keptOrphans = ctx.command === 'verify' ? found.byForeignKey : keptOrphans(ctx, found);
  ctx.report.source.sha256 = await sha256;
  ctx.report.timings.preflightSeconds = (Date.now() - t0) / 1000;
  return { schema, plan, orphans };
}

async function planTables(
  ctx: RunContext,
  schema: SourceSchema,
  catalog: Map<string, TargetTable>,
  skip: string[],
): Promise<MigrationPlan> {
  const plan = buildPlan(ctx.source.db, schema, catalog, {
    sourceZone: ctx.options.sourceZone,
    skipTables: skip,
    longNames: ctx.options.longNames,
  });
  ctx.report.renamed = plan.renamed;
  // Tables this tool created earlier in the same run (resume) are finished like created ones.
  const createdHere = ctx.runId
    ? await readTableStates(ctx.pg, ctx.runId)
    : new Map<string, { created: boolean }>();
  for (const t of plan.tables) {
    if (createdHere.get(t.name)?.created) t.exists = false;
  }
  if (ctx.command === 'verify') {
    const all = await tablesCreatedByRuns(ctx.pg).catch(() => new Set<string>());
    for (const t of plan.tables) if (all.has(t.name)) t.exists = false;
  }
  if (plan.problems.length > 0)
    throw new MigrationError(`the schema cannot be migrated:\n  - ${plan.problems.join('\n  - ')}`);
  return plan;
}

/**
 * Rows with a NULL in their primary key: a stop naming the first and the options under `stop`; left
 * to the load to reject under `reject`; under `rowid` each NULL of a one-column integer key is
 * filled from the row's rowid (listed under `filledKeys`). `verify` fills as the migration did.
 */
function checkNullKeys(
  ctx: RunContext,
  plan: MigrationPlan,
  nullKeys: Map<string, ReturnType<typeof nullKeyRows>>,
  final: boolean,
): void {
  // `verify` fills wherever it can: rows the migration rejected instead are skipped anyway.
  const policy = ctx.command === 'verify' ? 'rowid' : (ctx.options.nullKeys ?? ctx.options.onError);
  for (const t of plan.tables) {
    const found = nullKeys.get(t.source.name);
    if (!found) continue;
    const key = keyColumns(t);
    const only = key.length === 1 ? key[0] : undefined;
    const fillable = only !== undefined && !t.source.withoutRowid && INT_KINDS.includes(only.type.kind);
    if (policy === 'rowid' && only && fillable) {
      only.nullFromRowid = true;
      if (!final) continue;
      (ctx.report.filledKeys ??= []).push({ table: t.name, column: only.name, rows: found.rows });
      if (ctx.command === 'migrate')
        ctx.say(
          `${t.name}: ${found.rows} NULL key(s) in "${only.name}" filled from the rowid (--null-keys rowid)`,
        );
      continue;
    }
    if (policy === 'reject') {
      for (const c of key) c.nullSetAside = true;
      continue;
    }
    if (ctx.command !== 'migrate') continue;
    const where = found.firstRowid === null ? '' : `, first at rowid ${found.firstRowid}`;
    const fill = fillable
      ? ' run with --null-keys rowid (each NULL filled from its rowid, listed in the report) or'
      : '';
    throw new MigrationError(
      `table "${t.name}": ${found.rows} row(s) with a NULL in primary-key column "${found.column}"${where} (SQLite allows NULL in a key that is not INTEGER PRIMARY KEY): fix the source,${fill} run with --null-keys reject (or --on-error reject) to set them aside`,
    );
  }
}

const TEXT_KINDS = ['text', 'varchar', 'char', 'json', 'jsonb'];

/**
 * `--invalid-utf8 ENCODING`: text whose bytes are not UTF-8 is read in ENCODING instead of being
 * refused; how many values of each column that is, is counted here and listed under `decodedText`.
 */
function planFallbackDecoding(ctx: RunContext, plan: MigrationPlan, encoding: LegacyEncoding): void {
  for (const t of plan.tables) {
    const columns = t.columns.filter((c) => TEXT_KINDS.includes(c.type.kind));
    for (const c of columns) c.fallbackEncoding = encoding;
    const counts = invalidUtf8Counts(
      ctx.source.db,
      t.source,
      columns.map((c) => c.source.name),
    );
    for (const c of columns) {
      const rows = counts.get(c.source.name) ?? 0;
      if (rows === 0) continue;
      (ctx.report.decodedText ??= []).push({ table: t.name, column: c.name, rows, encoding });
      if (ctx.command === 'migrate')
        ctx.say(`${t.name}.${c.name}: ${rows} value(s) not UTF-8, read as ${encoding} (--invalid-utf8)`);
    }
  }
}

/** What the run does with foreign-key orphans: `--orphans`, or else as `--on-error`. */
function orphanPolicy(ctx: RunContext): OrphanPolicy {
  return ctx.options.orphans ?? ctx.options.onError;
}

/**
 * Foreign-key orphans of the planned tables: a stop under `--orphans stop`, rows to reject under
 * `reject`; under `keep` no row is held back (the foreign keys are created NOT VALID) and every
 * orphan is listed in the report.
 */
function checkOrphans(ctx: RunContext, plan: MigrationPlan, found: OrphanSearch): OrphanIndex {
  const { index: orphans, count } = orphansOf(found, new Set(plan.tables.map((t) => t.source.name)));
  ctx.report.preflight.foreignKeyOrphans = count;
  if (count === 0 || ctx.command === 'verify') return orphans;
  const first = [...orphans.entries()][0];
  const [row, info] = first ? ([...first[1].entries()][0] ?? ['?', undefined]) : ['?', undefined];
  const where = row.startsWith('key:') ? `key ${row.slice(4)}` : `rowid ${row}`;
  const message = `${count} foreign-key orphan row(s) in the source; first: table "${first?.[0] ?? '?'}", ${where}, column "${info?.column ?? '?'}": ${info?.reason ?? ''}`;
  const policy = orphanPolicy(ctx);
  if (policy === 'stop') {
    throw new MigrationError(
      `${message}. SQLite enforces foreign keys only with PRAGMA foreign_keys=ON: fix the source, or run with ` +
        '--orphans keep (every row loaded, the foreign key created NOT VALID: checked for new writes, the orphans listed in the report) ' +
        'or --orphans reject (the orphan rows set aside in the rejects)',
    );
  }
  if (policy === 'reject') {
    ctx.say(`warning: ${message}; those rows will be rejected`);
    return orphans;
  }
  ctx.report.orphans = [...orphans].flatMap(([table, rows]) =>
    [...rows].map(([id, o]) => ({
      table,
      rowid: id.startsWith('key:') ? null : id,
      key: id.startsWith('key:') ? (JSON.parse(id.slice(4)) as unknown[]) : null,
      column: o.column,
      reason: o.reason,
    })),
  );
  ctx.say(`warning: ${message}; kept (--orphans keep): their foreign keys are created NOT VALID`);
  return new Map();
}

/** Under `--orphans keep`, the foreign keys to create NOT VALID and how many rows break each. */
function keptOrphans(ctx: RunContext, found: OrphanSearch): Map<string, number> {
  return orphanPolicy(ctx) === 'keep' ? found.byForeignKey : new Map<string, number>();
}
