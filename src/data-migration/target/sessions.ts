import pg from 'pg';
import type { PostgresSettings } from '../../config/app-config';
import { describePostgresTarget, maskSecrets } from '../../config/database-url';
import { pgConnectionConfig } from '../../database/data-source-options';
import { MigrationError } from '../model/errors';

/**
 * The session in which PostgreSQL prints stored values exactly as the load's converters write them
 * (instants in UTC with ISO dates, shortest floats, hex bytea), whatever the server's defaults.
 */
export const READBACK_SESSION =
  "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 1; SET bytea_output = 'hex'";

/**
 * What a session of the run is for:
 * - `control`: the run's own session (advisory lock, catalog, DDL, bookkeeping);
 * - `load`: a load job's; each chunk's commit carries its state row, so a lost commit loses both
 *   together and the job need not wait for the WAL flush; index builds get more memory;
 * - `readback`: verification's, printing stored values in READBACK_SESSION.
 */
export type SessionPurpose = 'control' | 'load' | 'readback';

const SETUP: Record<SessionPurpose, string | undefined> = {
  control: undefined,
  load: "SET synchronous_commit = off; SET maintenance_work_mem = '256MB'",
  readback: READBACK_SESSION,
};

/** The one maker of the tool's PostgreSQL sessions: TLS, UTC, UTF-8 and application_name included. */
export async function openSession(target: PostgresSettings, purpose: SessionPurpose): Promise<pg.Client> {
  const client = new pg.Client(
    pgConnectionConfig(target, purpose === 'readback' ? 'pgmove-verify' : 'pgmove-migrate'),
  );
  // A dropped connection surfaces in the query that was waiting on it; without a listener it would
  // crash the process instead.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new MigrationError(
      maskSecrets(
        `cannot connect to PostgreSQL at ${describePostgresTarget(target)}: ${(error as Error).message}`,
      ),
    );
  }
  const setup = SETUP[purpose];
  if (setup) await client.query(setup);
  return client;
}

export async function closeSession(client: pg.Client | undefined): Promise<void> {
  await client?.end().catch(() => undefined);
}

/**
 * Turns PostgreSQL's parallel index-build workers off (or back to the server's setting) in a
 * session: builds run side by side already, and workers would only compete with them.
 */
export async function useBuildWorkers(client: pg.Client, on: boolean): Promise<void> {
  await client.query(
    on ? 'RESET max_parallel_maintenance_workers' : 'SET max_parallel_maintenance_workers = 0',
  );
}
