import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/free-port';
import { STARTUP_CONNECT_TIMEOUT_MS } from '../../src/database/postgres-preflight';
import { runToExit, startApp } from '../support/spawn-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const PASSWORD = 'Sup3r-Secret-Pw';
const QUIET = { LOG_LEVEL: 'info', SCHEDULER_ENABLED: 'false' };
// Slack for scheduling on a busy machine, on top of what is measured or set.
const MARGIN_MS = 1500;

let startMs: number | undefined;
/**
 * How long this machine takes to start the process and stop it at the first check (a bad setting):
 * the part of every bound below that is not the check's own timeout. Measured once per suite.
 */
async function processStartMs(): Promise<number> {
  startMs ??= (await runToExit({ ...QUIET, PORT: 'not-a-port' })).elapsedMs;
  return startMs;
}

describe('start-up fails fast and safely', () => {
  it('exits at once naming host:port when the database is unreachable, without the password', async () => {
    const port = await freePort();
    const result = await runToExit({
      ...QUIET,
      NODE_ENV: 'production',
      ADMIN_TOKEN: 'x'.repeat(32),
      DATABASE_URL: `postgres://app:${PASSWORD}@127.0.0.1:${port}/content?sslmode=require`,
    });
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    // A refused connection fails at once: only the process's own start-up time, and a margin.
    expect(result.elapsedMs).toBeLessThan((await processStartMs()) + MARGIN_MS);
    expect(result.output).toContain(`127.0.0.1:${port}/content`);
    expect(result.output).toMatch(/ECONNREFUSED/);
    expect(result.output).not.toContain(PASSWORD);
  });

  it('exits after the connect timeout when the server accepts the connection but never answers', async () => {
    const port = await freePort();
    const silent = createServer(() => undefined).listen(port, '127.0.0.1');
    try {
      const result = await runToExit({
        ...QUIET,
        DATABASE_URL: `postgres://app:${PASSWORD}@127.0.0.1:${port}/content`,
      });
      expect(result.code).toBe(1);
      // The start-up check's connect timeout, on top of the process's own start-up time.
      expect(result.elapsedMs).toBeLessThan(
        (await processStartMs()) + STARTUP_CONNECT_TIMEOUT_MS + MARGIN_MS,
      );
      expect(result.output).toContain(`127.0.0.1:${port}/content`);
      expect(result.output).toMatch(/timeout/i);
      expect(result.output).not.toContain(PASSWORD);
    } finally {
      silent.close();
    }
  });

  it('gives the local development hint for a local server', async () => {
    const port = await freePort();
    const result = await runToExit({
      ...QUIET,
      DATABASE_URL: `postgres://app:${PASSWORD}@127.0.0.1:${port}/content`,
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain('npm run db:start');
    expect(result.output).not.toContain(PASSWORD);
  });

  it('refuses a malformed DATABASE_URL by name', async () => {
    const result = await runToExit({ ...QUIET, DATABASE_URL: `postgres//app:${PASSWORD}@host/db` });
    expect(result.code).toBe(1);
    expect(result.output).toContain('DATABASE_URL');
    expect(result.output).not.toContain(PASSWORD);
  });

  it('refuses PostgreSQL without TLS in production, mentioning SSL/TLS', async () => {
    const result = await runToExit({
      ...QUIET,
      NODE_ENV: 'production',
      ADMIN_TOKEN: 'x'.repeat(32),
      DATABASE_URL: `postgres://app:${PASSWORD}@db.internal:5432/content?sslmode=disable`,
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain('SSL/TLS');
    expect(result.output).not.toContain(PASSWORD);
  });

  it('lists every bad variable in one go', async () => {
    const result = await runToExit({
      ...QUIET,
      PORT: 'abc',
      DB_POOL_MAX: '-1',
      DISPLAY_TIMEZONE: 'Nowhere/City',
    });
    expect(result.code).toBe(1);
    for (const name of ['PORT', 'DB_POOL_MAX', 'DISPLAY_TIMEZONE']) expect(result.output).toContain(name);
  });
});

describe('start-up with the supported DATABASE_URL forms', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('startup');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('serves readiness on a postgresql+psycopg2:// URL, with a one-line notice', async () => {
    const url = db.url.replace(/^postgres:/, 'postgresql+psycopg2:');
    const app = await startApp({ ...QUIET, DATABASE_URL: url }, await freePort());
    try {
      const res = await fetch(`${app.baseUrl}/health/ready`);
      expect(res.status).toBe(200);
      expect(app.output()).toMatch(/normalised to "postgres:\/\/"/);
      expect(app.output()).not.toContain('test-password');
    } finally {
      await app.stop();
    }
  });

  it('runs the same app on SQLite from a sqlite:/// URL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pgmove-startup-'));
    const app = await startApp(
      { ...QUIET, DATABASE_URL: `sqlite://${join(dir, 'app.sqlite')}` },
      await freePort(),
    );
    try {
      const res = await fetch(`${app.baseUrl}/health/ready`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { details: { database: { status: string } } };
      expect(body.details.database.status).toBe('up');
    } finally {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
