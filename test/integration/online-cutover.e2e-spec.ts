import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../support/free-port';
import { reportMeasurement } from '../support/measurements';
import { runToExit, startApp, type RunningApp } from '../support/spawn-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { readReport, runMigrate, workDir } from '../data-migration/support/migrate-cli';

// The service runs on SQLite and keeps taking writes over HTTP while `migrate --online --service`
// copies its file, catches up and cuts it over: at the cut-over the service holds new writes at its
// gate (they wait, they are not refused), switches its database to PostgreSQL and lets them through
// there. No request fails, and every entry the service acknowledged is in PostgreSQL.
const TOKEN = 'online-cutover-token-0123456789';

describe('online cut-over through the running service', () => {
  let target: TestDatabase;
  let dir: string;
  let sqlitePath: string;
  let app: RunningApp;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = workDir('online-cutover');
    sqlitePath = join(dir, 'app.sqlite');
    target = await createTestDatabase('online_cutover');
    const base = { NODE_ENV: 'test', LOG_LEVEL: 'warn', SCHEDULER_ENABLED: 'false', ADMIN_TOKEN: TOKEN };
    // The PostgreSQL schema comes from the app's own migrations, as in the runbook.
    const onPg = await startApp({ ...base, DATABASE_URL: target.url }, await freePort());
    await onPg.stop();
    env = { ...base, DATABASE_URL: `sqlite://${sqlitePath}`, CUTOVER_DATABASE_URL: target.url };
    app = await startApp(env, await freePort());
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await target.drop();
  });

  const post = (path: string, body: unknown): Promise<Response> =>
    fetch(`${app.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('no request fails, no acknowledged write is lost, and the service ends on PostgreSQL', async () => {
    const source = await post('/sources', { name: 'feed', url: 'https://example.com/rss' });
    expect(source.status).toBe(201);
    const sourceId = ((await source.json()) as { id: number }).id;
    for (let i = 0; i < 300; i++) {
      expect(
        (
          await post('/entries', {
            sourceId,
            title: `seed ${i}`,
            body: 'x',
            publishedAt: '2026-12-01T10:00:00Z',
          })
        ).status,
      ).toBe(201);
    }

    const acknowledged: number[] = [];
    const failures: string[] = [];
    let writing = true;
    let slowest = 0;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const t0 = Date.now();
        const res = await post('/entries', {
          sourceId,
          title: `live ${i}`,
          body: 'y',
          publishedAt: '2026-12-02T10:00:00Z',
        });
        slowest = Math.max(slowest, Date.now() - t0);
        if (res.status === 201) acknowledged.push(((await res.json()) as { id: number }).id);
        else failures.push(`POST ${res.status}: ${await res.text()}`);
      }
    })();
    let reads = 0;
    const reader = (async () => {
      while (writing) {
        const res = await fetch(`${app.baseUrl}/sources/${sourceId}`);
        reads++;
        if (res.status !== 200) failures.push(`GET ${res.status}`);
      }
    })();

    const report = join(dir, 'online.json');
    const result = await runMigrate(
      [
        '--source',
        sqlitePath,
        '--target',
        target.url,
        '--online',
        '--service',
        app.baseUrl,
        '--report',
        report,
      ],
      { ADMIN_TOKEN: TOKEN },
    );
    // Writes go on for a moment after the cut-over, on PostgreSQL now.
    await new Promise((r) => setTimeout(r, 500));
    writing = false;
    await Promise.all([writer, reader]);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const online = readReport(report).online;
    reportMeasurement('online cut-over', 'tool pause ms', String(online?.cutover?.pauseMs));
    reportMeasurement('online cut-over', 'service held writes ms', String(online?.cutover?.service?.heldMs));
    reportMeasurement('online cut-over', 'slowest write seen by the client ms', String(slowest));
    expect(online?.cutover?.service?.heldMs).toBeGreaterThanOrEqual(0);
    expect(failures).toEqual([]);
    expect(reads).toBeGreaterThan(0);
    expect(acknowledged.length).toBeGreaterThan(0);

    const health = (await (await fetch(`${app.baseUrl}/health`)).json()) as { details?: unknown } & Record<
      string,
      unknown
    >;
    expect(JSON.stringify(health)).toMatch(/postgres/);
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ id: number }>(
        'SELECT id::int AS id FROM entries WHERE id = ANY($1::bigint[])',
        [acknowledged],
      );
      expect(rows.length).toBe(acknowledged.length);
      const all = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM entries');
      expect(all.rows[0]?.n).toBe(300 + acknowledged.length);
    } finally {
      await client.end();
    }
  }, 180_000);

  it('restarted on the moved file it starts on PostgreSQL, and without CUTOVER_DATABASE_URL it refuses, naming where the data went', async () => {
    await app.stop();
    const { CUTOVER_DATABASE_URL: _cutover, ...withoutCutover } = env;
    const refused = await runToExit(withoutCutover);
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/was moved to PostgreSQL .* refuses writes/);
    app = await startApp(env, await freePort());
    const res = await post('/sources', { name: 'after restart', url: 'https://example.com/2' });
    expect(res.status).toBe(201);
    const health = await (await fetch(`${app.baseUrl}/health`)).text();
    expect(health).toMatch(/postgres/);
  }, 60_000);

  it('a second cut-over is refused by the service', async () => {
    const res = await fetch(`${app.baseUrl}/admin/cutover/hold`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { code: string }).code).toBe('CUTOVER_REFUSED');
  });
});

// The service killed while it holds writes for a cut-over (the file not yet marked moved) keeps no
// half-switched state: the gate lived in its memory, so on restart it is on SQLite, taking writes.
describe('the service killed during a cut-over', () => {
  it('restarts on SQLite with writes going through, the file not moved', async () => {
    const dir = workDir('cutover-killed');
    const sqlitePath = join(dir, 'app.sqlite');
    const target = await createTestDatabase('cutover_killed');
    const base = { NODE_ENV: 'test', LOG_LEVEL: 'warn', SCHEDULER_ENABLED: 'false', ADMIN_TOKEN: TOKEN };
    // The PostgreSQL schema comes from the app's own migrations, as in the runbook.
    await (await startApp({ ...base, DATABASE_URL: target.url }, await freePort())).stop();
    const env = { ...base, DATABASE_URL: `sqlite://${sqlitePath}`, CUTOVER_DATABASE_URL: target.url };
    let app = await startApp(env, await freePort());
    try {
      const held = await fetch(`${app.baseUrl}/admin/cutover/hold`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(`${held.status} ${await held.text()}`).toMatch(/^200 /);
      // A write now waits at the gate; the process dies under it.
      const waiting = fetch(`${app.baseUrl}/sources`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'held', url: 'https://example.com/held' }),
      }).then(
        (r) => r.status,
        () => 'connection lost',
      );
      await new Promise((r) => setTimeout(r, 200));
      const exited = new Promise((r) => app.child.once('exit', r));
      app.child.kill('SIGKILL');
      await exited;
      expect(await waiting).toBe('connection lost');

      app = await startApp(env, await freePort());
      const res = await fetch(`${app.baseUrl}/sources`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'after the kill', url: 'https://example.com/after' }),
      });
      expect(res.status).toBe(201);
      const health = await (await fetch(`${app.baseUrl}/health`)).text();
      expect(health).toMatch(/sqlite/);
      expect(health).not.toMatch(/postgres/);
    } finally {
      await app.stop();
      await target.drop();
    }
  }, 60_000);
});
