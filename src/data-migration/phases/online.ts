import type Database from 'better-sqlite3';
import type pg from 'pg';
import { describePostgresTarget } from '../../config/database-url';
import { MigrationError } from '../model/errors';
import { sourceKeyColumns, type SourceSchema } from '../model/catalog';
import type { MigrationPlan } from '../model/plan';
import type { OnlineReport } from '../model/report';
import { applyWindow, parentsFirst } from '../load/change-applier';
import {
  installCapture,
  markMoved,
  missingCapture,
  openWritable,
  readCaptureState,
  removeCapture,
  withoutCaptureObjects,
} from '../source/capture';
import { ChangeReader, logPosition } from '../source/change-reader';
import { SourceHandle } from '../source/source-handle';
import { countRows } from '../source/source-reader';
import { readSqliteSchema } from '../source/sqlite-schema';
import { countRows as countTargetRows, onlinePosition } from '../target/change-target';
import { readTargetTables } from '../target/pg-catalog';
import { resetSequences } from '../target/sequences';
import { ServiceCutover } from '../target/service-cutover';
import { closeSession, openSession } from '../target/sessions';
import { createTriggers } from './constraints';
import type { RunContext } from './run-context';

// Log entries per catch-up window: one target transaction each.
const WINDOW = 5000;
// Cut over once no more than this many changes are pending: the last ones are applied while writers wait.
const CUTOVER_LAG = 500;
const FOLLOW_PAUSE_MS = 50;

function onlineReport(ctx: RunContext): OnlineReport {
  ctx.report.online ??= {
    added: [],
    removed: [],
    snapshotPosition: '0',
    catchUp: { windows: 0, changes: 0, rowsMerged: 0, rowsDeleted: 0, seconds: 0 },
  };
  return ctx.report.online;
}

/**
 * Before the snapshot: triggers on every table to copy record each change other processes make, so
 * the copy (of a snapshot taken after this) plus the logged changes is the source at any later
 * moment. Refuses a file another online run is capturing, or one already moved.
 */
export function startCapture(ctx: RunContext): void {
  const live = new SourceHandle(ctx.options.sourcePath);
  let captured: CapturedTable[];
  try {
    const state = readCaptureState(live.db);
    if (state?.status === 'moved')
      throw new MigrationError(
        `${ctx.options.sourcePath} was already moved to PostgreSQL ${state.movedTo ?? '?'} at ${state.movedAt ?? '?'}: a second cut-over is refused. To use the file again, run migrate --online --abort --source ${ctx.options.sourcePath} (writes since the cut-over are only in PostgreSQL)`,
      );
    if (state && !ctx.options.resume)
      throw new MigrationError(
        `an online migration has been capturing changes in ${ctx.options.sourcePath} since ${state.startedAt} (a run that was killed?); finish it with migrate --online --resume, or remove its triggers with migrate --online --abort --source ${ctx.options.sourcePath} and start again`,
      );
    if (!state && ctx.options.resume)
      throw new MigrationError(
        `--online --resume: ${ctx.options.sourcePath} holds no change capture (a failed run removes its own; an aborted one is gone), so the changes since the interrupted run's snapshot are unknown; start again with --reset-target`,
      );
    // A resumed run finds the capture's own tables in the file: they are not copied or captured.
    captured = capturedTables(ctx, withoutCaptureObjects(readSqliteSchema(live.db)));
    if (state) {
      resumeCapture(ctx, live.db, captured, state.startedAt);
      return;
    }
  } finally {
    live.close();
  }
  const added = installCapture(ctx.options.sourcePath, captured);
  onlineReport(ctx).added.push(...added);
  ctx.say(`capturing changes on ${captured.length} table(s) of the source (added ${added.length} objects)`);
}

type CapturedTable = Parameters<typeof missingCapture>[1][number];

/** The tables the run copies, each with the key its changes are logged by; all must have one. */
function capturedTables(ctx: RunContext, schema: SourceSchema): CapturedTable[] {
  const skip = new Set(ctx.options.skipTables.map((n) => n.toLowerCase()));
  const tables = schema.tables.filter((t) => !skip.has(t.name.toLowerCase()));
  const keyless = tables.filter((t) => !t.columns.some((c) => c.pkPosition > 0)).map((t) => `"${t.name}"`);
  if (keyless.length > 0)
    throw new MigrationError(
      `--online needs a primary key on every table to apply changes by key; ${keyless.join(', ')} have none (leave them out with --skip-table, or migrate offline)`,
    );
  return tables.map((table) => ({ table, keyColumns: sourceKeyColumns(table) }));
}

/** `--resume` of a killed online run: its capture must still be whole, for every table it copies. */
function resumeCapture(
  ctx: RunContext,
  live: Database.Database,
  captured: CapturedTable[],
  capturingSince: string,
): void {
  const missing = missingCapture(live, captured);
  if (missing.length > 0)
    throw new MigrationError(
      `--online --resume: the change capture in ${ctx.options.sourcePath} lacks ${missing.join(', ')} (dropped, or the tables changed), so changes may be missing; run migrate --online --abort and start again with --reset-target`,
    );
  onlineReport(ctx).resumed = { capturingSince, fromPosition: '0', copyVerifiedBefore: false };
  ctx.say(`resuming with the change capture in place since ${capturingSince}`);
}

/**
 * `--online --resume`: whether the interrupted run's catch-up had begun. It begins only once the
 * copy is verified, and the target then holds changes newer than the snapshot, so verifying the
 * copy again against the snapshot would find them; the catch-up's read-back checks them instead.
 */
export async function copyVerifiedBefore(ctx: RunContext): Promise<boolean> {
  const resumed = ctx.report.online?.resumed;
  if (!resumed || !ctx.runId) return false;
  const position = await onlinePosition(ctx.pg, ctx.runId);
  if (position === undefined) return false;
  resumed.fromPosition = position.toString();
  resumed.copyVerifiedBefore = true;
  ctx.say(`the copy was verified before the run was interrupted; catching up from change ${position}`);
  return true;
}

/**
 * After the copy of the snapshot: applies the logged changes in windows until few are pending,
 * then cuts over: holds the source's write lock, applies the last changes, checks every table's
 * row count on both sides, resets sequences and leaves triggers that refuse writes on the source.
 */
export async function catchUpAndCutOver(
  ctx: RunContext,
  plan: MigrationPlan,
  schema: SourceSchema,
): Promise<void> {
  const report = onlineReport(ctx);
  const snapshotPosition = logPosition(ctx.source.db);
  report.snapshotPosition = snapshotPosition.toString();
  const live = new SourceHandle(ctx.options.sourcePath);
  const reader = new ChangeReader(live.db, plan.tables);
  // The schema the copy was planned from: any DDL on the source since (during the copy too) stops the run.
  const schemaVersion = ctx.snapshot?.schemaVersion;
  const order = parentsFirst(plan.tables);
  const session = await openSession(ctx.options.target, 'readback');
  try {
    const t0 = Date.now();
    const resumedAt = BigInt(report.resumed?.fromPosition ?? '0');
    let position = resumedAt > snapshotPosition ? resumedAt : snapshotPosition;
    for (;;) {
      if (reader.schemaVersion() !== schemaVersion)
        throw new MigrationError(
          `the source's schema changed during the online run (ALTER, CREATE or DROP of a table): changes can no longer be applied by key; run migrate --online --abort --source ${ctx.options.sourcePath} and start again`,
        );
      // Up to what is logged now: a writer that never pauses must not keep one pass going for ever.
      position = await applyPending(ctx, { session, reader, order, position, live }, report, reader.latest());
      const lag = reader.lag(position);
      ctx.say(
        `catch-up: at change ${position}, ${lag.pending} pending, ${lag.secondsBehind.toFixed(1)} s behind`,
      );
      if (lag.pending <= CUTOVER_LAG) break;
      await new Promise((r) => setTimeout(r, FOLLOW_PAUSE_MS));
    }
    report.catchUp.seconds = (Date.now() - t0) / 1000;
    await cutOver(ctx, plan, schema, { session, reader, order, position, live });
  } finally {
    await closeSession(session);
    live.close();
  }
}

/**
 * Applies the windows logged after `state.position`, up to `until` (or, with writers held, until no
 * change is left); returns the position reached.
 */
async function applyPending(
  ctx: RunContext,
  state: FollowState,
  report: OnlineReport,
  until?: bigint,
): Promise<bigint> {
  let position = state.position;
  for (;;) {
    if (until !== undefined && position >= until) return position;
    const window = state.reader.read(position, WINDOW);
    if (window.changes === 0) return position;
    // Suspect text is re-read from the live source, where the changed rows are.
    const applied = await applyWindow(state.session, ctx.runId ?? '', window, state.order, state.live.raw);
    report.catchUp.windows++;
    report.catchUp.changes += window.changes;
    report.catchUp.rowsMerged += applied.rows;
    report.catchUp.rowsDeleted += applied.deleted;
    position = window.to;
  }
}

interface FollowState {
  session: pg.Client;
  reader: ChangeReader;
  order: MigrationPlan['tables'];
  position: bigint;
  /** The live source (read-only), not the snapshot. */
  live: SourceHandle;
}

async function cutOver(
  ctx: RunContext,
  plan: MigrationPlan,
  schema: SourceSchema,
  state: FollowState,
): Promise<void> {
  const report = onlineReport(ctx);
  const service = ctx.options.service
    ? new ServiceCutover(ctx.options.service.url, ctx.options.service.token)
    : undefined;
  // The target's catalog does not change during the pause: read before it.
  const targetTables = await readTargetTables(ctx.pg);
  // The service holds its own writes first; the write lock then holds everyone else's.
  const drained = await service?.hold();
  const lock = openWritable(ctx.options.sourcePath);
  const movedTo = describePostgresTarget(ctx.options.target);
  let refusing: string[];
  let pauseMs: number;
  const steps = { applyMs: 0, countMs: 0, sequencesMs: 0, markMs: 0, triggersMs: 0 };
  const before = report.catchUp.changes;
  try {
    try {
      lock.exec('BEGIN IMMEDIATE');
    } catch (error) {
      // The service's writes were held for this: let them go on on SQLite.
      await service?.release();
      throw new MigrationError(
        `cut-over refused: the source's write lock could not be taken within its busy timeout (${(error as Error).message}); writers kept the file busy. The source keeps its writes; run migrate --online --reset-target again when its writers leave the lock free between transactions`,
      );
    }
    const held = Date.now();
    try {
      const step = stepTimer();
      await applyPending(ctx, state, report);
      steps.applyMs = step();
      await checkCounts(plan, state, BigInt(report.snapshotPosition));
      steps.countMs = step();
      ctx.report.sequences = await resetSequences(ctx.pg, plan.tables, targetTables);
      steps.sequencesMs = step();
      refusing = markMoved(
        lock,
        plan.tables.map((t) => t.source),
        movedTo,
      );
      lock.exec('COMMIT');
      steps.markMs = step();
      pauseMs = Date.now() - held;
    } catch (error) {
      lock.exec('ROLLBACK');
      await service?.release();
      throw error;
    }
  } finally {
    lock.close();
  }
  report.cutover = {
    pauseMs,
    steps,
    finalChanges: report.catchUp.changes - before,
    movedTo,
    refusingTriggers: refusing,
  };
  // The source's triggers, carried now that no change is left to apply (they would fire for the
  // merges), and before the service's held writes go to PostgreSQL.
  const t0 = Date.now();
  await createTriggers(ctx, plan, schema);
  steps.triggersMs = Date.now() - t0;
  if (service && drained) {
    // The file is moved: if the switch call fails, the service's watchdog switches by itself.
    const switched = await service.switch().catch((error: unknown) => {
      ctx.report.preflight.warnings.push(
        `${(error as Error).message}; the service switches by itself within 30 s`,
      );
      return { heldMs: NaN };
    });
    report.cutover.service = {
      url: ctx.options.service?.url ?? '',
      drainedMs: drained.drainedMs,
      heldMs: switched.heldMs,
    };
  }
  ctx.say(
    `cut over in ${pauseMs} ms of paused writes${report.cutover.service ? ` (the service held its writes ${report.cutover.service.heldMs} ms)` : ''}: the source now refuses writes (moved to ${movedTo})`,
  );
}

function stepTimer(): () => number {
  let last = Date.now();
  return () => {
    const now = Date.now();
    const ms = now - last;
    last = now;
    return ms;
  };
}

/**
 * With writers held: every table written since the snapshot has as many rows on the target as in
 * the source (a table with no change logged since is the snapshot's, which the copy verified). The
 * target counts on its own cores while the source counts here, so the pause holds the longer only.
 */
async function checkCounts(plan: MigrationPlan, state: FollowState, since: bigint): Promise<void> {
  const written = new Set(state.reader.tablesChangedAfter(since));
  const tables = plan.tables.filter((t) => written.has(t.source.name));
  const targetCounts = countTargetRows(state.session, tables);
  // Sent now, the target's counts run while the source's are taken below.
  targetCounts.catch(() => undefined);
  const sourceCounts = tables.map((t) => countRows(state.live.db, t));
  const counted = await targetCounts;
  for (const [i, t] of tables.entries()) {
    const source = sourceCounts[i];
    const target = counted[i];
    if (source !== target)
      throw new MigrationError(
        `cut-over refused: "${t.name}" has ${source} rows in the source and ${target} on the target, so a change was not captured (a replace clashing on a UNIQUE index over an expression fires no trigger for the row it deletes); the source keeps its writes; run migrate --online --abort and migrate again`,
      );
  }
}

/** After a failed online run (before its cut-over): the capture is removed, so nothing is left behind. */
export function undoCapture(ctx: RunContext): void {
  const report = ctx.report.online;
  if (!report || (report.added.length === 0 && !report.resumed) || report.cutover) return;
  report.removed.push(...removeCapture(ctx.options.sourcePath));
  ctx.say(`removed the change capture from the source (${report.removed.length} objects)`);
}
