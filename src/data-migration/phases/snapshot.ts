import { existsSync } from 'node:fs';
import { MigrationError } from '../model/errors';
import { fileStamp, removeSnapshot, snapshotPathFor, takeSnapshot } from '../source/snapshot';
import { ensureStateTables, latestUnfinishedRun, stateTablesExist } from '../target/run-state';
import type { RunContext } from './run-context';

/**
 * Every reader of the run opens one snapshot of the source, so the copy and its verification are
 * of one state however other processes write to the source. `--resume` reads the snapshot the
 * interrupted run took (and kept), so the resumed chunks come from the same state as the others.
 */
export async function useSnapshot(ctx: RunContext): Promise<void> {
  if (ctx.writes && ctx.options.resume) {
    // Tables of an earlier version of the tool get the columns this one reads; none are created here.
    if (await stateTablesExist(ctx.pg)) await ensureStateTables(ctx.pg);
    const last = await latestUnfinishedRun(ctx.pg).catch(() => undefined);
    if (!last)
      throw new MigrationError('--resume: no interrupted or failed migration run on this target to resume');
    const kept = last.snapshot;
    if (!kept?.path || !existsSync(kept.path))
      throw new MigrationError(
        `--resume: the snapshot of the source that run ${last.id} read${kept?.path ? ` (${kept.path})` : ''} is gone, so the rest cannot be copied from the same state; start again with --reset-target`,
      );
    ctx.useSnapshot({ ...kept, resumed: true, kept: true });
    stamps.set(ctx, fileStamp(kept.path));
    ctx.say(`resuming from the snapshot taken at ${kept.takenAt}: ${kept.path}`);
    return;
  }
  const snapshot = await takeSnapshot(ctx.options.sourcePath, snapshotPathFor(ctx.options.reportPath)).catch(
    (error: unknown) => {
      throw new MigrationError((error as Error).message);
    },
  );
  ctx.useSnapshot({ ...snapshot, resumed: false, kept: false });
  stamps.set(ctx, fileStamp(snapshot.path));
  ctx.say(
    `snapshot of the source taken (${snapshot.method}, ${snapshot.journalMode} mode, ${snapshot.seconds.toFixed(2)}s): ${snapshot.path}`,
  );
}

// Each run's snapshot file stamp, taken when the run began reading it.
const stamps = new WeakMap<RunContext, string>();

/**
 * The snapshot at the end must be the file the run began reading, unwritten: otherwise something
 * wrote to the copy while the run read it, and the run cannot show it copied one state. Such a run
 * fails. Its stamp (size, mtime, inode) says so without reading the file again.
 */
export function checkSnapshotUnchanged(ctx: RunContext): void {
  const snapshot = ctx.snapshot;
  const stamp = stamps.get(ctx);
  if (!snapshot || stamp === undefined) return;
  const source = ctx.report.source;
  try {
    source.unchanged = fileStamp(snapshot.path) === stamp;
  } catch {
    source.unchanged = false;
  }
  if (!source.unchanged && ctx.report.exitCode !== 1) {
    throw new MigrationError(
      `the snapshot ${snapshot.path} changed while the run read it, so the copy is not shown to be of one state of the source; run again`,
    );
  }
}

/** A new run makes the interrupted one unresumable: the snapshot it kept is of no more use. */
export async function dropAbandonedSnapshot(ctx: RunContext): Promise<void> {
  const path = (await latestUnfinishedRun(ctx.pg))?.snapshot?.path;
  if (!path || !existsSync(path)) return;
  removeSnapshot(path);
  ctx.say(`removed the snapshot kept by the interrupted run: ${path}`);
}

/** A failed migration keeps its snapshot for --resume; every other run deletes it. */
export function releaseSnapshot(ctx: RunContext): void {
  const snapshot = ctx.snapshot;
  if (!snapshot) return;
  const resumable = ctx.command === 'migrate' && ctx.report.status === 'failed' && ctx.runId !== undefined;
  snapshot.kept = resumable;
  if (resumable) {
    ctx.say(`the snapshot is kept for --resume: ${snapshot.path}`);
    return;
  }
  removeSnapshot(snapshot.path);
}
