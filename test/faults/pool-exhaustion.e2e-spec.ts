import autocannon from 'autocannon';
import pg from 'pg';
import { RETRY_AFTER_SECONDS } from '../../src/common/http-exception.filter';
import { CONNECT_TIMEOUT_MS } from '../../src/database/data-source-options';
import { freePort } from '../support/free-port';
import { percentile, reportMeasurement } from '../support/measurements';
import { watchAppConnections } from '../support/pg-activity';
import { type RunningApp, startApp } from '../support/spawn-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { testPostgresState } from '../support/test-postgres-state';

const POOL_MAX = 20;
const SUITE = 'pool exhaustion';
// The table lock outlasts the pool's wait for a connection (CONNECT_TIMEOUT_MS) twice over, and the
// statement timeout outlasts the lock, so the 20 holders wait it out and finish while the others can
// only be answered by the pool wait running out.
const LOCK_HELD_MS = 2 * CONNECT_TIMEOUT_MS;
const STATEMENT_TIMEOUT_MS = 2 * LOCK_HELD_MS;
// Timers fire on the event loop's millisecond clock, which may round a wait down by a millisecond or so.
const TIMER_GRANULARITY_MS = 20;

interface Outcome {
  status: number;
  sentAt: number;
  receivedAt: number;
  ms: number;
  retryAfter: string | null;
  message: string;
}

/** One request that reports a hang as status 0 instead of waiting forever. */
async function timedGet(url: string, hangAfterMs: number): Promise<Outcome> {
  const started = Date.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(hangAfterMs) });
    const body = (await res.json()) as { message?: unknown };
    return {
      status: res.status,
      sentAt: started,
      receivedAt: Date.now(),
      ms: Date.now() - started,
      retryAfter: res.headers.get('retry-after'),
      message: typeof body.message === 'string' ? body.message : '',
    };
  } catch {
    return {
      status: 0,
      sentAt: started,
      receivedAt: Date.now(),
      ms: Date.now() - started,
      retryAfter: null,
      message: 'no answer',
    };
  }
}

const countBy = (outcomes: Outcome[]): Record<number, number> =>
  outcomes.reduce<Record<number, number>>((acc, o) => ({ ...acc, [o.status]: (acc[o.status] ?? 0) + 1 }), {});

// The built app in its own process with a pool of 20, as in production; the test is only a client.
describe(`a pool of ${POOL_MAX} under concurrent load`, () => {
  let db: TestDatabase;
  let app: RunningApp;
  let sourceId: number;

  beforeAll(async () => {
    db = await createTestDatabase('pool_exhaustion');
    app = await startApp(
      {
        DATABASE_URL: db.url,
        NODE_ENV: 'test',
        LOG_LEVEL: 'error',
        SCHEDULER_ENABLED: 'false',
        DB_POOL_MAX: String(POOL_MAX),
        DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
        DB_QUERY_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS + CONNECT_TIMEOUT_MS),
      },
      await freePort(),
    );
    const source = await fetch(`${app.baseUrl}/sources`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Load', url: 'https://load.example' }),
    });
    sourceId = ((await source.json()) as { id: number }).id;
    const entries = Array.from({ length: 1000 }, (_, i) => ({
      sourceId,
      title: `entry ${i}`,
      body: 'x'.repeat(200),
      publishedAt: new Date(Date.UTC(2026, 10, 1) + i * 60000).toISOString(),
      tags: ['load'],
    }));
    const stored = await fetch(`${app.baseUrl}/entries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(entries),
    });
    expect(stored.status).toBe(201);
  }, 60000);
  afterAll(async () => {
    await app?.stop();
    await db?.drop();
  });

  it('serves 200 concurrent requests through 20 connections, all answered', async () => {
    const watch = await watchAppConnections(testPostgresState().adminUrl, db.name);
    const paths = [
      '/entries',
      `/entries?sourceId=${sourceId}&limit=200`,
      '/entries?from=2026-11-01T05:00:00Z&to=2026-11-01T10:00:00Z',
      '/sources',
      '/entries/1',
    ];
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) => timedGet(`${app.baseUrl}${paths[i % paths.length]}`, 20000)),
    );
    const { max } = await watch.stop();
    reportMeasurement(SUITE, '200 concurrent: statuses', JSON.stringify(countBy(outcomes)));
    reportMeasurement(SUITE, '200 concurrent: p50/p99/max ms', percentileLine(outcomes));
    reportMeasurement(SUITE, '200 concurrent: max app connections', max);
    expect(countBy(outcomes)).toEqual({ 200: 200 });
    expect(max).toBeGreaterThan(0);
    expect(max).toBeLessThanOrEqual(POOL_MAX);
  });

  it(
    'answers 503 with Retry-After after a bounded wait when every connection is stuck, never a hang or 500',
    async () => {
      // Another session locks the table, so every connection the app hands out blocks inside PostgreSQL:
      // the pool is exhausted by real work, and requests beyond the 20 must wait for a connection.
      const locker = new pg.Client({ connectionString: db.url, application_name: 'pgmove-test-locker' });
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE entries IN ACCESS EXCLUSIVE MODE');
      const watch = await watchAppConnections(testPostgresState().adminUrl, db.name);
      let releasedAt = Number.POSITIVE_INFINITY;
      const release = new Promise<void>((resolve) =>
        setTimeout(() => {
          releasedAt = Date.now();
          void locker.query('ROLLBACK').then(() => resolve());
        }, LOCK_HELD_MS),
      );
      const outcomes = await Promise.all(
        Array.from({ length: 200 }, () =>
          timedGet(`${app.baseUrl}/entries?limit=10`, LOCK_HELD_MS + 2 * CONNECT_TIMEOUT_MS),
        ),
      );
      await release;
      await locker.end();
      const { max } = await watch.stop();

      const counts = countBy(outcomes);
      const unavailable = outcomes.filter((o) => o.status === 503);
      const served = outcomes.filter((o) => o.status === 200);
      reportMeasurement(SUITE, 'exhausted: statuses', JSON.stringify(counts));
      reportMeasurement(SUITE, 'exhausted: 503 after ms (min/max)', minMax(unavailable));
      reportMeasurement(SUITE, 'exhausted: 200 after ms (min/max)', minMax(served));
      reportMeasurement(SUITE, 'exhausted: max app connections', max);

      expect(Object.keys(counts).sort()).toEqual(['200', '503']);
      expect(served.length).toBeGreaterThanOrEqual(POOL_MAX);
      for (const o of unavailable) {
        expect(o.retryAfter).toBe(String(RETRY_AFTER_SECONDS));
        expect(o.message).toMatch(/database is unavailable or busy/);
        // Not before the pool's wait for a connection ran out (the app cannot answer before it got the
        // request, and then waits CONNECT_TIMEOUT_MS), and while the lock was still held: bounded by
        // that wait, not by the lock. Load can only delay an answer, never bring it forward.
        expect(o.receivedAt - o.sentAt).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS - TIMER_GRANULARITY_MS);
        expect(o.receivedAt).toBeLessThan(releasedAt);
      }
      // The holders answer once the lock is gone, not before.
      for (const o of served) expect(o.receivedAt).toBeGreaterThanOrEqual(releasedAt);
      expect(max).toBeLessThanOrEqual(POOL_MAX);

      // And the pool is whole again afterwards.
      const after = await timedGet(`${app.baseUrl}/entries`, 5000);
      expect(after.status).toBe(200);
      const ready = await fetch(`${app.baseUrl}/health/ready`);
      expect(ready.status).toBe(200);
    },
    LOCK_HELD_MS + 6 * CONNECT_TIMEOUT_MS,
  );

  it('gives no errors to 64 connections on GET /entries for 10 s, with at most 20 database connections', async () => {
    const watch = await watchAppConnections(testPostgresState().adminUrl, db.name);
    const result = await autocannon({
      url: `${app.baseUrl}/entries`,
      connections: 64,
      duration: 10,
      timeout: 10,
    });
    const { max, samples } = await watch.stop();
    reportMeasurement(SUITE, 'autocannon 64x10s: requests', result.requests.total);
    reportMeasurement(SUITE, 'autocannon 64x10s: req/s avg', result.requests.average);
    reportMeasurement(
      SUITE,
      'autocannon 64x10s: latency p50/p99/max ms',
      `${result.latency.p50}/${result.latency.p99}/${result.latency.max}`,
    );
    reportMeasurement(SUITE, 'autocannon 64x10s: max app connections', `${max} (${samples} samples)`);
    expect(result.requests.total).toBeGreaterThan(200);
    expect(result.errors).toBe(0);
    expect(result.timeouts).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(result['2xx']).toBe(result.requests.total);
    expect(max).toBeGreaterThan(0);
    expect(max).toBeLessThanOrEqual(POOL_MAX);
  }, 30000);
});

function percentileLine(outcomes: Outcome[]): string {
  const ms = outcomes.map((o) => o.ms);
  return `${percentile(ms, 50)}/${percentile(ms, 99)}/${Math.max(...ms)}`;
}

function minMax(outcomes: Outcome[]): string {
  if (outcomes.length === 0) return 'none';
  const ms = outcomes.map((o) => o.ms);
  return `${Math.min(...ms)}/${Math.max(...ms)}`;
}
