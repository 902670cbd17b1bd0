import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { testPostgresState } from './test-postgres-state';

export interface TestDatabase {
  name: string;
  url: string;
  /** Drops the database (terminating any connections still open to it). */
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testPostgresState().adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database on the test server for one suite. */
export async function createTestDatabase(prefix = 'suite'): Promise<TestDatabase> {
  const name = `${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}" ENCODING 'UTF8' TEMPLATE template0`));
  const url = new URL(testPostgresState().adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}
