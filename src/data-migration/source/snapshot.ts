import { copyFileSync, existsSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { SourceSnapshot } from '../model/report';

export class SnapshotError extends Error {}

// A writer in the middle of its commit holds the lock for milliseconds; a stuck one is not waited for.
const BUSY_TIMEOUT_MS = 10_000;

/** The file name of a new snapshot next to `besidePath` (the run's report). */
export function snapshotPathFor(besidePath: string): string {
  const stamp = `${Date.now().toString(36)}-${process.pid}`;
  return join(dirname(resolve(besidePath)), `${basename(besidePath)}.snapshot-${stamp}.sqlite`);
}

export async function takeSnapshot(sourcePath: string, destination: string): Promise<SourceSnapshot> {
  if (!existsSync(sourcePath)) throw new SnapshotError(`source ${sourcePath} does not exist`);
  let db: Database.Database;
  try {
    db = new Database(sourcePath, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw new SnapshotError(`cannot open source ${sourcePath}: ${(error as Error).message}`);
  }
  removeSnapshot(destination);
  const started = Date.now();
  try {
    const journalMode = String(db.pragma('journal_mode', { simple: true })).toLowerCase();
    const wal = journalMode === 'wal';
    // The read transaction pins the state: the identity is read in it and the copy made of it.
    db.exec('BEGIN');
    let identity: { schemaVersion: number; pageCount: number };
    try {
      identity = stateIdentity(db);
      // The backup API reads inside the connection's open transaction, in one step.
      if (wal) await db.backup(destination, { progress: () => 0x7fffffff });
      else copyFileSync(sourcePath, destination);
    } finally {
      db.exec('COMMIT');
    }
    const seconds = (Date.now() - started) / 1000;
    return {
      method: wal ? 'online-backup' : 'file-copy-under-shared-lock',
      journalMode,
      path: destination,
      takenAt: new Date(started).toISOString(),
      seconds,
      bytes: statSync(destination).size,
      ...identity,
    };
  } catch (error) {
    removeSnapshot(destination);
    throw new SnapshotError(
      `cannot take a snapshot of ${sourcePath} (so the copy could not be of one state of the source): ${(error as Error).message}`,
    );
  } finally {
    db.close();
  }
}

/** The first read inside a transaction takes the SHARED lock (or WAL snapshot) and fixes the state it sees. */
function stateIdentity(db: Database.Database): { schemaVersion: number; pageCount: number } {
  db.prepare('SELECT count(*) FROM sqlite_schema').get();
  return {
    schemaVersion: Number(db.pragma('schema_version', { simple: true })),
    pageCount: Number(db.pragma('page_count', { simple: true })),
  };
}

/**
 * What identifies the snapshot's bytes without reading them: the file's size, modification time
 * (ns) and inode, and the size of its WAL. The snapshot is private to the run and only ever opened
 * read-only, so any write to it changes this: in rollback modes the file itself, in WAL mode the
 * `-wal` file, which starts empty and only grows until a checkpoint (which writes the file).
 */
export function fileStamp(path: string): string {
  const s = statSync(path, { bigint: true });
  const wal = existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0;
  return `${s.size}:${s.mtimeNs}:${s.ino}:wal ${wal}`;
}

export function removeSnapshot(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
}
