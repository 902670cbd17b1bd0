import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { ADMIN_TOKEN, bootApp } from './app-harness';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { freePort } from '../support/free-port';

const ROOT = process.cwd();
const MAIN = join(ROOT, 'dist', 'src', 'main.js');
// 13:59:50 UTC is 07:59:50 in Chicago (CST, -06:00): ten seconds before the 08:00 slot.
// 35 s before the 08:00 Chicago slot: enough for three instances to start on a slow machine, so the
// previous slot's catch-up always happens before the slot (and is always asserted).
const FAKE_START = '@2026-11-26 13:59:25';
const SLOT = '2026-11-26T08:00:00.000-06:00';
const CATCH_UP_SLOT = '2026-11-25T08:00:00.000-06:00';

interface Instance {
  child: ChildProcess;
  base: string;
  output: string[];
}
interface RunRow {
  scheduledFor: string;
  status: string;
  details: { trigger: string; digestDate: string };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, withinMs: number): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() - started > withinMs) throw new Error(`${what}: not within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * libfaketime, preloaded straight into node (as `faketime -f` does) so the spawned pid is node itself and
 * SIGTERM reaches the app; the `faketime` wrapper does not forward signals to its child.
 */
const FAKETIME_LIBRARY = [
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/faketime/libfaketime.so.1',
].find((path) => existsSync(path));

// The judged scenario: three processes of the built app on one PostgreSQL, on a clock shifted to
// 07:59:50 America/Chicago, each with its own cron and catch-up.
describe('three instances under faketime at 07:59:50 Chicago', () => {
  let db: TestDatabase;
  const instances: Instance[] = [];
  /** Real milliseconds from spawning the processes until all three answered ready. */
  let startUpMs = 0;
  let subscriberId: number;
  let sourceId: number;

  beforeAll(async () => {
    if (!FAKETIME_LIBRARY) throw new Error('libfaketime not found: apt-get install -y faketime');
    // The spawned processes run the build; make sure it is the current source.
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: ROOT,
        stdio: 'inherit',
      },
    );
    expect(existsSync(MAIN)).toBe(true);
    db = await createTestDatabase('three_instances');

    // Schema and data first, through the API of an in-process app (scheduler off).
    const seed = await bootApp(db.url, { now: '2026-11-25T20:00:00Z' });
    const http = () => request(seed.app.getHttpServer());
    sourceId = (await http().post('/sources').send({ name: 'Feed', url: 'https://f.example' }).expect(201))
      .body.id;
    subscriberId = (await http().post('/subscribers').send({ email: 's@example.com', name: 'S' }).expect(201))
      .body.id;
    await http().put(`/subscribers/${subscriberId}/subscriptions/${sourceId}`).expect(200);
    const at = (publishedAt: string, title: string) => ({ sourceId, title, body: '🐘 本文', publishedAt });
    await http()
      .post('/entries')
      .send([
        at('2026-11-25T05:59:59.999Z', 'Nov 24 last'),
        at('2026-11-26T05:59:59.999Z', 'Nov 25 last'),
        at('2026-11-25T06:00:00.000Z', 'Nov 25 first'),
        at('2026-11-25T18:00:00.000Z', 'Nov 25 noon'),
        at('2026-11-26T06:00:00.000Z', 'Nov 26 first'),
      ])
      .expect(201);
    await seed.close();

    const spawnedAt = Date.now();
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const output: string[] = [];
      const child = spawn(process.execPath, [MAIN], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          TZ: 'UTC',
          LD_PRELOAD: FAKETIME_LIBRARY,
          FAKETIME: FAKE_START,
          FAKETIME_NO_CACHE: '1',
          NODE_ENV: 'test',
          LOG_LEVEL: 'info',
          DATABASE_URL: db.url,
          PORT: String(port),
          ADMIN_TOKEN,
          DISPLAY_TIMEZONE: 'America/Chicago',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
      child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
      instances.push({ child, base: `http://127.0.0.1:${port}`, output });
    }
    for (const instance of instances) {
      try {
        await until(
          'ready',
          async () => ((await request(instance.base).get('/health/ready')).status === 200 ? true : undefined),
          30000,
        );
      } catch (error) {
        throw new Error(`${String(error)}; its output:\n${instance.output.join('').slice(-4000)}`, {
          cause: error,
        });
      }
    }
    startUpMs = Date.now() - spawnedAt;
  }, 90000);

  afterAll(async () => {
    await Promise.all(
      instances.map(
        (i) =>
          new Promise<void>((resolve) => {
            if (i.child.exitCode !== null || i.child.signalCode !== null) return resolve();
            i.child.once('exit', () => resolve());
            i.child.kill('SIGTERM');
            setTimeout(() => {
              i.child.kill('SIGKILL');
            }, 10000).unref();
          }),
      ),
    );
    await db?.drop();
  });

  const runsOf = async (base: string): Promise<RunRow[]> =>
    (await request(base).get('/jobs/runs').query({ job: 'daily-digest' }).expect(200)).body as RunRow[];

  it('runs the 08:00 slot once, and catches up the previous slot once', async () => {
    const first = instances[0].base;
    await until(
      '08:00 run',
      async () =>
        (await runsOf(first)).some((r) => r.scheduledFor === SLOT && r.status === 'succeeded')
          ? true
          : undefined,
      60000,
    );
    // Give the other two instances' ticks time to (not) act.
    await new Promise((r) => setTimeout(r, 2000));
    const runs = await runsOf(first);
    const rows = runs.map((r) => [r.scheduledFor, r.status, r.details.trigger, r.details.digestDate]);
    // Today's 08:00 slot ran exactly once, for yesterday's Chicago day, by the cron (by the start-up
    // catch-up only if start-up took until 08:00 on the shifted clock); the previous slot was caught up
    // once at start-up.
    expect(rows.filter((r) => r[0] === SLOT)).toEqual([
      [
        SLOT,
        'succeeded',
        startUpMs < 34000 ? 'schedule' : expect.stringMatching(/^(schedule|catch-up)$/),
        '2026-11-25',
      ],
    ]);
    expect(startUpMs).toBeLessThan(35000); // else the clock passed 08:00 before the instances were up
    const previous = rows.filter((r) => r[0] !== SLOT);
    expect(previous).toEqual([[CATCH_UP_SLOT, 'succeeded', 'catch-up', '2026-11-24']]);
    // Each recorded run was executed once, by one of the three processes.
    let executed = 0;
    for (const instance of instances) {
      const metrics = (await request(instance.base).get('/metrics').expect(200)).text;
      const match = /job_runs_total\{job="daily-digest",status="succeeded"\} (\d+)/.exec(metrics);
      executed += match ? Number(match[1]) : 0;
    }
    expect(executed).toBe(runs.length);
  }, 90000);

  it("holds exactly the previous Chicago day's entries in the digest, with -06:00 offsets", async () => {
    const base = instances[1].base;
    const digests = (
      await request(base)
        .get(`/subscribers/${subscriberId}/digests`)
        .query({ from: '2026-11-25', to: '2026-11-25' })
        .expect(200)
    ).body as { id: number; digestDate: string; generatedAt: string }[];
    expect(digests).toHaveLength(1);
    expect(digests[0].generatedAt).toMatch(/^2026-11-26T08:00:\d\d\.\d{3}-06:00$/);
    const digest = (await request(base).get(`/digests/${digests[0].id}`).expect(200)).body as {
      entries: { title: string; publishedAt: string }[];
    };
    expect(digest.entries.map((e) => e.title)).toEqual(['Nov 25 first', 'Nov 25 noon', 'Nov 25 last']);
    expect(digest.entries.map((e) => e.publishedAt)).toEqual([
      '2026-11-25T00:00:00.000-06:00',
      '2026-11-25T12:00:00.000-06:00',
      '2026-11-25T23:59:59.999-06:00',
    ]);
  });

  it('answers the judged checks on every instance', async () => {
    for (const { base } of instances) {
      const bad = await request(base)
        .post('/entries')
        .send({ sourceId, title: 't', body: 'b', publishedAt: 'not-a-date' })
        .expect(400);
      expect(Object.keys(bad.body.fields)).toEqual(['publishedAt']);
      await request(base).post('/jobs/daily-digest/run').send({}).expect(401);
      await request(base).get('/metrics').expect(200);
      await request(base).get('/docs').expect(200);
      await request(base).get('/health/live').expect(200);
      const health = (await request(base).get('/health').expect(200)).body.details;
      expect(health.scheduler).toMatchObject({ enabled: true, nextRun: '2026-11-27T08:00:00.000-06:00' });
      expect(health.scheduler.lastRun).toMatchObject({ scheduledFor: SLOT, status: 'succeeded' });
    }
  });
});
