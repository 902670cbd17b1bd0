import { get } from 'node:http';
import pg from 'pg';
import { addDays, latestSlotAtOrBefore, localDateOf } from '../../src/common/zoned-time';
import { digestSeed, seedDigestWorkload } from '../support/digest-seed';
import { freePort } from '../support/free-port';
import { reportMeasurement } from '../support/measurements';
import { appConnectionCount } from '../support/pg-activity';
import { type RunningApp, startApp } from '../support/spawn-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { testPostgresState } from '../support/test-postgres-state';
import { waitUntil } from '../support/wait-until';

const SUITE = 'graceful shutdown';
const ADMIN_TOKEN = 'shutdown-admin-token-0123456789';
const ZONE = 'America/Chicago';
const MANUAL_DAY = '2026-11-20';
// The day the start-up catch-up builds: the one before the latest 08:00 slot on the real clock.
const CATCH_UP_DAY = addDays(localDateOf(latestSlotAtOrBefore(new Date(), 8, ZONE), ZONE), -1);

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
}

const exited = (app: RunningApp): Promise<Exit> =>
  new Promise((resolve) =>
    app.child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );

/** What a new client gets now: a status on a fresh connection, or 'refused' when nothing listens. */
function newRequest(port: number, path = '/health/ready'): Promise<number | 'refused'> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', () => resolve('refused'));
  });
}

/**
 * Holds the digest build inside PostgreSQL until released: an ACCESS EXCLUSIVE lock on `digests`,
 * which the build writes, so the build is certain to be running for as long as the test needs.
 */
async function holdDigests(url: string): Promise<{ release(): Promise<void> }> {
  const gate = new pg.Client({ connectionString: url, application_name: 'pgmove-test-gate' });
  gate.on('error', () => undefined);
  await gate.connect();
  await gate.query('BEGIN');
  await gate.query('LOCK TABLE digests IN ACCESS EXCLUSIVE MODE');
  return {
    release: async () => {
      await gate.query('ROLLBACK');
      await gate.end();
    },
  };
}

describe('graceful shutdown on SIGTERM', () => {
  let db: TestDatabase;
  let admin: pg.Client;
  let blockedOnGate: () => Promise<boolean>;

  const runStatus = async (digestDate: string): Promise<string | undefined> =>
    (
      await admin.query<{ status: string }>(
        `SELECT status FROM job_runs WHERE details->>'digestDate' = $1 ORDER BY id DESC LIMIT 1`,
        [digestDate],
      )
    ).rows[0]?.status;
  const digestCount = async (digestDate: string): Promise<number> =>
    (
      await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM digests WHERE digest_date = $1', [
        digestDate,
      ])
    ).rows[0]?.n ?? -1;

  // Sessions whose client vanished without saying goodbye: a pool closed properly adds none.
  const abandonedSessions = async (): Promise<number> =>
    (
      await admin.query<{ n: number }>(
        'SELECT sessions_abandoned::int AS n FROM pg_stat_database WHERE datname = $1',
        [db.name],
      )
    ).rows[0]?.n ?? -1;
  const expectPoolClosedCleanly = async (abandonedBefore: number): Promise<void> => {
    await waitUntil(
      'no sessions left',
      async () => (await appConnectionCount(admin, db.name)) === 0,
      2000,
      20,
    );
    expect(await abandonedSessions()).toBe(abandonedBefore);
  };

  const env = (scheduler: boolean): Record<string, string> => ({
    DATABASE_URL: db.url,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    ADMIN_TOKEN,
    SCHEDULER_ENABLED: String(scheduler),
    // The build waits on the test's gate; no statement timeout may cut that wait short.
    DB_STATEMENT_TIMEOUT_MS: '120000',
    DB_QUERY_TIMEOUT_MS: '125000',
  });

  beforeAll(async () => {
    db = await createTestDatabase('graceful_shutdown');
    // A first start applies the schema; its own SIGTERM exit is checked too.
    const first = await startApp(env(false), await freePort());
    const firstExit = exited(first);
    first.child.kill('SIGTERM');
    expect((await firstExit).code).toBe(0);
    await seedDigestWorkload(db.url, [MANUAL_DAY, CATCH_UP_DAY], digestSeed);
    admin = new pg.Client({
      connectionString: testPostgresState().adminUrl.replace(/\/postgres$/, `/${db.name}`),
    });
    await admin.connect();
    // The app's session waits for the gate's lock: the build has reached it.
    blockedOnGate = async () =>
      (
        await admin.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = $1 AND application_name = 'pgmove' AND wait_event_type = 'Lock'`,
          [db.name],
        )
      ).rows[0].n > 0;
  }, 60000);
  afterAll(async () => {
    await admin?.end();
    await db?.drop();
  });

  it('finishes an in-flight request (a manual digest run), refuses new connections, closes the pool and exits 0', async () => {
    const port = await freePort();
    const app = await startApp(env(false), port);
    const exit = exited(app);
    const gate = await holdDigests(db.url);
    let finishedAt = 0;
    const slow = fetch(`${app.baseUrl}/jobs/daily-digest/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ date: MANUAL_DAY }),
    }).then(async (res) => {
      finishedAt = Date.now();
      return {
        status: res.status,
        body: (await res.json()) as { status: string; details: { digests: number } },
      };
    });
    await waitUntil('the run to start', async () => (await runStatus(MANUAL_DAY)) === 'running', 10000, 20);
    await waitUntil('the build to reach the gate', blockedOnGate, 10000, 20);

    const abandonedBefore = await abandonedSessions();
    const sigtermAt = Date.now();
    app.child.kill('SIGTERM');
    const turnedAway = await newRequest(port);
    const refusedAfter = await waitUntil(
      'new connections refused',
      async () => (await newRequest(port)) === 'refused',
      3000,
      20,
    );
    // Refusing new work did not end the running build: it is still waiting at the gate.
    expect(finishedAt).toBe(0);
    expect(await runStatus(MANUAL_DAY)).toBe('running');
    const releasedAt = Date.now();
    await gate.release();

    const res = await slow;
    const { code, signal, at } = await exit;
    reportMeasurement(SUITE, 'in-flight request: new connections refused after ms', refusedAfter);
    reportMeasurement(SUITE, 'in-flight request: answered after SIGTERM ms', finishedAt - sigtermAt);
    reportMeasurement(SUITE, 'in-flight request: exit after SIGTERM ms', at - sigtermAt);
    expect([503, 'refused']).toContain(turnedAway);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('succeeded');
    expect(res.body.details.digests).toBe(digestSeed.subscribers);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(finishedAt).toBeGreaterThanOrEqual(releasedAt);
    expect(at).toBeGreaterThanOrEqual(finishedAt);
    await expectPoolClosedCleanly(abandonedBefore);
    expect(await runStatus(MANUAL_DAY)).toBe('succeeded');
    expect(await digestCount(MANUAL_DAY)).toBe(digestSeed.subscribers);
  }, 60000);

  it('lets a running scheduled build (the start-up catch-up) finish and record success before exiting 0', async () => {
    const port = await freePort();
    const gate = await holdDigests(db.url);
    const app = await startApp(env(true), port);
    const exit = exited(app);
    await waitUntil(
      'the catch-up to start',
      async () => (await runStatus(CATCH_UP_DAY)) === 'running',
      10000,
      20,
    );
    await waitUntil('the build to reach the gate', blockedOnGate, 10000, 20);

    const abandonedBefore = await abandonedSessions();
    const sigtermAt = Date.now();
    app.child.kill('SIGTERM');
    // The build goes on, but new requests are turned away from the first moment.
    const turnedAway = [await newRequest(port), await newRequest(port, '/entries')];
    // The build waits at the gate for as long as the test holds it, so the process is certain to be
    // waiting for it now; a moment lets a shutdown that would not wait show itself.
    await new Promise((r) => setTimeout(r, 500));
    const stillRunning = (await runStatus(CATCH_UP_DAY)) === 'running';
    const stillUp = app.child.exitCode === null;
    const releasedAt = Date.now();
    await gate.release();
    const refusedAfter = await waitUntil(
      'new connections refused',
      async () => (await newRequest(port)) === 'refused',
      30000,
      20,
    );

    const { code, signal, at } = await exit;
    reportMeasurement(SUITE, 'running job: new connections refused after ms', refusedAfter);
    reportMeasurement(SUITE, 'running job: exit after SIGTERM ms', at - sigtermAt);
    expect([stillRunning, stillUp]).toEqual([true, true]);
    expect(at).toBeGreaterThanOrEqual(releasedAt);
    for (const outcome of turnedAway) expect([503, 'refused']).toContain(outcome);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(await runStatus(CATCH_UP_DAY)).toBe('succeeded');
    expect(await digestCount(CATCH_UP_DAY)).toBe(digestSeed.subscribers);
    await expectPoolClosedCleanly(abandonedBefore);
  }, 60000);
});
