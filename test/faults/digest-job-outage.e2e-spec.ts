import pg from 'pg';
import request from 'supertest';
import { DailyDigestJob } from '../../src/scheduling/daily-digest.job';
import { DigestScheduler } from '../../src/scheduling/digest-scheduler';
import { ADMIN_TOKEN, bootApp, type TestApp } from '../app/app-harness';
import { digestSeed, seedDigestWorkload } from '../support/digest-seed';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres';

interface RunRow {
  id: number;
  scheduledFor: string;
  status: string;
  error: string | null;
  details: { trigger: string; digestDate: string; attempts: number; digests?: number };
}

// Two 08:00 Chicago slots, each building the digests of the day before.
const FIRST = { slot: '2026-11-26T14:00:00.000Z', local: '2026-11-26T08:00:00.000-06:00', day: '2026-11-25' };
const SECOND = {
  slot: '2026-11-27T14:00:00.000Z',
  local: '2026-11-27T08:00:00.000-06:00',
  day: '2026-11-26',
};

async function waitFor(what: string, probe: () => Promise<boolean>, withinMs: number): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < withinMs) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${what} did not happen within ${withinMs} ms`);
}

// A PostgreSQL of its own, stopped in the middle of a digest build.
describe('PostgreSQL stopped in the middle of the 08:00 digest job', () => {
  let server: PrivatePostgres;
  let url: string;
  let t: TestApp;

  /** One query on a fresh connection: the server goes away and comes back during these tests. */
  async function sql<T extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<T>(text, params)).rows;
    } finally {
      await client.end();
    }
  }
  const slotRuns = async (local: string): Promise<RunRow[]> =>
    (
      (await request(t.app.getHttpServer()).get('/jobs/runs').query({ job: 'daily-digest' }).expect(200))
        .body as RunRow[]
    ).filter((r) => r.scheduledFor === local);
  const digestShape = async (day: string) =>
    (
      await sql<{ digests: number; subscribers: number; entries: number }>(
        `SELECT count(*)::int AS digests, count(DISTINCT subscriber_id)::int AS subscribers,
                coalesce(sum((SELECT count(*) FROM digest_entries de WHERE de.digest_id = d.id)), 0)::int AS entries
         FROM digests d WHERE digest_date = $1`,
        [day],
      )
    )[0];

  /** Starts the slot's build, stops PostgreSQL while it runs, and returns what the tick returned. */
  async function interruptSlot(slot: string): Promise<unknown> {
    t.clock.set(slot);
    const tick = t.app.get(DailyDigestJob).onTick();
    await waitFor(
      'the run to start',
      async () =>
        (await sql(`SELECT 1 FROM job_runs WHERE scheduled_for = $1 AND status = 'running'`, [slot]))
          .length === 1,
      10000,
    );
    // Into the build: its transaction has written digests (it holds a transaction id) but not committed.
    await waitFor(
      'the build to write inside its transaction',
      async () =>
        (
          await sql(
            `SELECT 1 FROM pg_stat_activity
             WHERE application_name = 'pgmove' AND datname = 'digests' AND backend_xid IS NOT NULL`,
          )
        ).length > 0,
      10000,
    );
    await server.stop();
    const outcome = await tick;
    // With the database gone, the run's record cannot be read (nor written) until it returns.
    await request(t.app.getHttpServer()).get('/jobs/runs').expect(503);
    return outcome;
  }

  async function restartDatabase(): Promise<void> {
    await server.start();
    await waitFor(
      'readiness 200',
      async () => (await request(t.app.getHttpServer()).get('/health/ready')).status === 200,
      15000,
    );
  }

  beforeAll(async () => {
    server = await startPrivatePostgres('digest-outage');
    await server.createDatabase('digests');
    url = server.url('digests');
    t = await bootApp(url, { now: '2026-11-26T13:00:00.000Z' });
    await seedDigestWorkload(url, [FIRST.day, SECOND.day], digestSeed);
  }, 60000);
  afterAll(async () => {
    await t?.close().catch(() => undefined);
    await server?.dispose();
  });

  it('keeps serving, applies nothing of the interrupted run, and a manual retry records it failed and succeeds', async () => {
    const outcome = await interruptSlot(FIRST.slot);
    expect(outcome).toBeNull(); // the failure could not even be recorded: nothing to return
    await request(t.app.getHttpServer()).get('/health/live').expect(200);
    await request(t.app.getHttpServer()).get('/health/ready').expect(503);
    // Writes fail fast too, with a 503 the client can retry.
    const started = Date.now();
    const write = await request(t.app.getHttpServer())
      .post('/sources')
      .send({ name: 'During outage', url: 'https://o.example' });
    expect(write.status).toBe(503);
    expect(write.headers['retry-after']).toBe('5');
    expect(Date.now() - started).toBeLessThan(3000);

    await restartDatabase();
    expect(await digestShape(FIRST.day)).toEqual({ digests: 0, subscribers: 0, entries: 0 });

    const retry = await request(t.app.getHttpServer())
      .post('/jobs/daily-digest/run')
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
      .send({ date: FIRST.day })
      .expect(200);
    expect(retry.body).toMatchObject({ status: 'succeeded', details: { digestDate: FIRST.day } });

    const [interrupted] = await slotRuns(FIRST.local);
    expect(interrupted).toMatchObject({ status: 'failed', details: { trigger: 'schedule' } });
    expect(interrupted.error).toMatch(/interrupted/);
    const perSubscriber = digestSeed.subscriptionsEach * digestSeed.entriesPerSource;
    expect(await digestShape(FIRST.day)).toEqual({
      digests: digestSeed.subscribers,
      subscribers: digestSeed.subscribers,
      entries: digestSeed.subscribers * perSubscriber,
    });
    // The start-up catch-up now sees the day done and does not build it again.
    expect(await t.app.get(DailyDigestJob).catchUp()).toBeNull();
  }, 60000);

  it('is retried in the same slot row by the next start-up catch-up, exactly once', async () => {
    await interruptSlot(SECOND.slot);
    await t.close().catch(() => undefined);
    await server.start();
    expect(await digestShape(SECOND.day)).toEqual({ digests: 0, subscribers: 0, entries: 0 });

    // A new process five minutes after the slot: its catch-up finds the slot without a successful run.
    t = await bootApp(url, { now: '2026-11-27T14:05:00.000Z', scheduler: true });
    await t.app.get(DigestScheduler).idle();
    const runs = await slotRuns(SECOND.local);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      status: 'succeeded',
      error: null,
      details: { trigger: 'catch-up', digestDate: SECOND.day, attempts: 2, digests: digestSeed.subscribers },
    });
    expect((await digestShape(SECOND.day)).digests).toBe(digestSeed.subscribers);
  }, 60000);
});
