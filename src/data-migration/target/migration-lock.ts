import type pg from 'pg';
import { LockId } from '../../database/advisory-lock';

/** Two migrations never run into one database at once: the first takes this session lock. */
export async function tryMigrationLock(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [
    LockId.DataMigration,
  ]);
  return rows[0]?.ok ?? false;
}

export async function releaseMigrationLock(client: pg.Client): Promise<void> {
  await client.query('SELECT pg_advisory_unlock($1)', [LockId.DataMigration]);
}
