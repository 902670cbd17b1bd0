import type { DataSource } from 'typeorm';
import { dialectOf } from './dialect';

/** Every pg_advisory_lock id this app takes, in one place so two features never share one by accident. */
export enum LockId {
  SchemaMigrations = 4_711_001,
  DailyDigest = 4_711_002,
  DataMigration = 4_711_003,
  /** Held by the session of a running `GET /admin/integrity` check, so a dead one can be told. */
  IntegrityCheck = 4_711_004,
}

/** What the work run under a lock learns about it. */
export interface HeldLock {
  /**
   * True when the lock excludes other processes (a PostgreSQL advisory lock). SQLite has no such lock:
   * the work runs, but another process may be doing the same.
   */
  acrossProcesses: boolean;
}

/**
 * Runs `fn` while holding a session advisory lock on a dedicated connection, waiting for it if another
 * process holds it. SQLite has a single writer and no such locks, so `fn` just runs.
 */
export async function withAdvisoryLock<T>(
  dataSource: DataSource,
  lock: LockId,
  fn: (held: HeldLock) => Promise<T>,
): Promise<T> {
  if (dialectOf(dataSource) !== 'postgres') return fn({ acrossProcesses: false });
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [lock]);
    try {
      return await fn({ acrossProcesses: true });
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [lock]);
    }
  } finally {
    await runner.release();
  }
}

/**
 * Like withAdvisoryLock but gives up at once when another process holds the lock.
 * Returns `{ acquired: false }` then, so callers can tell "skipped" from "ran".
 */
export async function tryWithAdvisoryLock<T>(
  dataSource: DataSource,
  lock: LockId,
  fn: (held: HeldLock) => Promise<T>,
): Promise<{ acquired: true; value: T } | { acquired: false }> {
  if (dialectOf(dataSource) !== 'postgres') {
    return { acquired: true, value: await fn({ acrossProcesses: false }) };
  }
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    const rows = await dataSource.query<{ locked: boolean }[]>(
      'SELECT pg_try_advisory_lock($1) AS locked',
      [lock],
      runner,
    );
    if (!rows[0]?.locked) return { acquired: false };
    try {
      return { acquired: true, value: await fn({ acrossProcesses: true }) };
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [lock]);
    }
  } finally {
    await runner.release();
  }
}
