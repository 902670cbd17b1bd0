import pg from 'pg';
import { APPLICATION_NAME, CONNECT_TIMEOUT_MS } from '../../src/database/data-source-options';
import { freePort } from '../support/free-port';
import { type Frozen, freezeProcesses, postgresServerPids } from '../support/freeze-processes';
import { reportMeasurement } from '../support/measurements';
import { type PrivatePostgres, startPrivatePostgres } from '../support/private-postgres';
import { type RunningApp, startApp } from '../support/spawn-app';
import { waitUntil } from '../support/wait-until';

const SUITE = 'frozen database';
const POOL_MAX = 4;
// Short, so the suite is quick; every bound below is derived from these.
const STATEMENT_TIMEOUT_MS = 1000;
const QUERY_TIMEOUT_MS = 2500;
// A request waits at most the pool's connect wait for a connection, then at most the query timeout
// for the answer; the second term again is slack for a loaded machine. A request with no client-side
// timeout waits for as long as the server stays frozen, which the test holds past this bound.
const REQUEST_BOUND_MS = CONNECT_TIMEOUT_MS + 2 * QUERY_TIMEOUT_MS;

interface Outcome {
  path: string;
  status: number;
  ms: number;
  retryAfter: string | null;
  code: string;
  message: string;
}

/** One request; a hang past `abortAfterMs` is status 0, never a wait for the server to thaw. */
async function timed(
  baseUrl: string,
  path: string,
  abortAfterMs: number,
  init: RequestInit = {},
): Promise<Outcome> {
  const started = Date.now();
  try {
    const res = await fetch(`${baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(abortAfterMs) });
    const body = (await res.json()) as { code?: unknown; message?: unknown };
    return {
      path,
      status: res.status,
      ms: Date.now() - started,
      retryAfter: res.headers.get('retry-after'),
      code: typeof body.code === 'string' ? body.code : '',
      message: typeof body.message === 'string' ? body.message : '',
    };
  } catch {
    return { path, status: 0, ms: Date.now() - started, retryAfter: null, code: '', message: 'no answer' };
  }
}

const postEntry = (sourceId: number, title: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ sourceId, title, body: 'b', publishedAt: '2026-11-25T10:00:00Z' }),
});

const summary = (outcomes: Outcome[]): string =>
  JSON.stringify(
    outcomes.reduce<Record<string, number>>((acc, o) => {
      const key = `${o.status} ${o.code}`;
      return { ...acc, [key]: (acc[key] ?? 0) + 1 };
    }, {}),
  );

// A PostgreSQL of its own: its processes are stopped with SIGSTOP, which would freeze every other suite.
describe('a database that stops answering (SIGSTOP), with the built app as a client would see it', () => {
  let server: PrivatePostgres;
  let app: RunningApp;
  let admin: pg.Client;
  let sourceId: number;
  let subscriberId: number;
  let frozen: Frozen | undefined;

  const appBackends = async (): Promise<number[]> =>
    (
      await admin.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = $2',
        [APPLICATION_NAME, 'frozen'],
      )
    ).rows.map((r) => r.pid);

  /** The pool's clients (busy and idle), as the app reports them on /health. */
  const poolTotal = async (): Promise<number> =>
    (
      (await (await fetch(`${app.baseUrl}/health`)).json()) as {
        details: { database: { pool: { total: number } | null } };
      }
    ).details.database.pool?.total ?? 0;

  /** Twice the pool in concurrent reads, all expected to be served (the pool opens connections on demand). */
  const usePool = async (): Promise<Outcome[]> =>
    Promise.all(Array.from({ length: POOL_MAX * 2 }, () => timed(app.baseUrl, '/entries', REQUEST_BOUND_MS)));

  beforeAll(async () => {
    server = await startPrivatePostgres('frozen');
    await server.createDatabase('frozen');
    app = await startApp(
      {
        DATABASE_URL: server.url('frozen'),
        NODE_ENV: 'test',
        LOG_LEVEL: 'error',
        SCHEDULER_ENABLED: 'false',
        DB_POOL_MAX: String(POOL_MAX),
        DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
        DB_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
      },
      await freePort(),
    );
    const source = await fetch(`${app.baseUrl}/sources`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'S', url: 'https://s.example' }),
    });
    sourceId = ((await source.json()) as { id: number }).id;
    expect(
      (await timed(app.baseUrl, '/entries', REQUEST_BOUND_MS, postEntry(sourceId, 'first'))).status,
    ).toBe(201);
    const subscriber = await fetch(`${app.baseUrl}/subscribers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@example.com', name: 'A' }),
    });
    subscriberId = ((await subscriber.json()) as { id: number }).id;
    admin = new pg.Client({
      connectionString: server.url('postgres'),
      application_name: 'pgmove-test-admin',
    });
    await admin.connect();
  }, 60000);
  afterEach(() => {
    frozen?.thaw();
    frozen = undefined;
  });
  afterAll(async () => {
    frozen?.thaw();
    await admin?.end();
    await app?.stop();
    await server?.dispose();
  });

  it('cancels a statement stuck behind a lock after DB_STATEMENT_TIMEOUT_MS (503 DB_TIMEOUT), and the connection serves on', async () => {
    const locker = new pg.Client({
      connectionString: server.url('frozen'),
      application_name: 'pgmove-test-locker',
    });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE entries IN ACCESS EXCLUSIVE MODE');
    const stuck = await timed(app.baseUrl, '/entries', REQUEST_BOUND_MS);
    await locker.query('ROLLBACK');
    await locker.end();

    reportMeasurement(SUITE, 'behind a lock: 503 after ms', stuck.ms);
    expect([stuck.status, stuck.code, stuck.retryAfter]).toEqual([503, 'DB_TIMEOUT', '5']);
    expect(stuck.message).toMatch(/ran past DB_STATEMENT_TIMEOUT_MS/);
    expect(stuck.ms).toBeGreaterThanOrEqual(STATEMENT_TIMEOUT_MS);
    expect(stuck.ms).toBeLessThan(REQUEST_BOUND_MS);
    const after = await usePool();
    expect(after.map((o) => o.status)).toEqual(after.map(() => 200));
  }, 60000);

  it('answers every request within its bound while the whole server is frozen, turns readiness 503, and recovers by itself on SIGCONT', async () => {
    await usePool();
    frozen = freezeProcesses(postgresServerPids(`${server.dataDir}/data`));
    const paths = ['/entries', '/sources', '/entries/1', `/sources/${sourceId}`];
    const [outcomes, ready] = await Promise.all([
      Promise.all([
        ...Array.from({ length: POOL_MAX * 3 }, (_, i) =>
          timed(app.baseUrl, paths[i % paths.length], REQUEST_BOUND_MS),
        ),
        timed(app.baseUrl, '/entries', REQUEST_BOUND_MS, postEntry(sourceId, 'while frozen')),
      ]),
      timed(app.baseUrl, '/health/ready', REQUEST_BOUND_MS),
    ]);
    reportMeasurement(SUITE, 'frozen: statuses', summary(outcomes));
    reportMeasurement(
      SUITE,
      'frozen: slowest answer ms (bound)',
      `${Math.max(...outcomes.map((o) => o.ms))} (${REQUEST_BOUND_MS})`,
    );
    reportMeasurement(SUITE, 'frozen: readiness answered after ms', ready.ms);

    for (const o of outcomes) {
      expect([o.path, o.status, o.retryAfter]).toEqual([o.path, 503, '5']);
      expect(['DB_TIMEOUT', 'DB_UNAVAILABLE']).toContain(o.code);
      expect(o.ms).toBeLessThan(REQUEST_BOUND_MS);
    }
    // The requests that had a pooled connection sent their query: the query timeout answered them.
    const timedOut = outcomes.filter((o) => o.code === 'DB_TIMEOUT');
    expect(timedOut.length).toBeGreaterThan(0);
    for (const o of timedOut) {
      expect(o.message).toMatch(/no answer within DB_QUERY_TIMEOUT_MS/);
      expect(o.ms).toBeGreaterThanOrEqual(QUERY_TIMEOUT_MS);
    }
    expect(ready.status).toBe(503);

    frozen.thaw();
    const recoveredAfter = await waitUntil(
      'readiness 200',
      async () => (await timed(app.baseUrl, '/health/ready', REQUEST_BOUND_MS)).status === 200,
      REQUEST_BOUND_MS,
    );
    reportMeasurement(SUITE, 'thawed: ready again after ms', recoveredAfter);
    const after = await usePool();
    expect(after.map((o) => o.status)).toEqual(after.map(() => 200));
    // The write sent while frozen was never acknowledged; what was acknowledged is all there.
    const entries = (await (await fetch(`${app.baseUrl}/entries`)).json()) as { items: { title: string }[] };
    expect(entries.items.map((e) => e.title)).toContain('first');
  }, 90000);

  it("replaces connections whose server process stays frozen: the pool's next connections serve", async () => {
    // Through TypeORM (a subscriber, the readiness ping), which hands a client back to the pool as
    // healthy after any error; the raw pool reads drop a client that failed by themselves.
    const subscriberPath = `/subscribers/${subscriberId}`;
    await usePool();
    // The pool opens connections on demand: freeze exactly the sessions its clients hold (once the
    // backends the previous test's dropped connections left behind have gone).
    let stuckBackends: number[] = [];
    await waitUntil(
      "the app's sessions to be its pool's",
      async () => {
        const total = await poolTotal();
        stuckBackends = await appBackends();
        return total > 0 && stuckBackends.length === total;
      },
      REQUEST_BOUND_MS,
    );
    // Only the app's own backends: the postmaster still accepts new connections, as after a
    // partition that left the old TCP connections dead without a reset.
    frozen = freezeProcesses(stuckBackends);
    // As many requests as idle clients: the pool hands each an idle (frozen) one before it opens any.
    const first = await Promise.all(
      stuckBackends.map(() => timed(app.baseUrl, subscriberPath, REQUEST_BOUND_MS)),
    );
    reportMeasurement(SUITE, 'frozen backends: first round', summary(first));
    for (const o of first) expect([o.status, o.code]).toEqual([503, 'DB_TIMEOUT']);

    // Still frozen: only fresh connections can serve now.
    const servedAfter = await waitUntil(
      'readiness 200 and a subscriber served on fresh connections',
      async () =>
        (await timed(app.baseUrl, '/health/ready', REQUEST_BOUND_MS)).status === 200 &&
        (await timed(app.baseUrl, subscriberPath, REQUEST_BOUND_MS)).status === 200,
      REQUEST_BOUND_MS,
    );
    reportMeasurement(SUITE, 'frozen backends: served again after ms', servedAfter);
    const after = await Promise.all(
      Array.from({ length: POOL_MAX * 2 }, () => timed(app.baseUrl, subscriberPath, REQUEST_BOUND_MS)),
    );
    expect(after.map((o) => o.status)).toEqual(after.map(() => 200));
    const live = await appBackends();
    expect(live.filter((pid) => stuckBackends.includes(pid))).toEqual(stuckBackends);
    expect(live.length).toBeGreaterThan(stuckBackends.length);
  }, 60000);
});
