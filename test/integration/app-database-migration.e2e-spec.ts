import { join } from 'node:path';
import request from 'supertest';
import { ADMIN_TOKEN, bootApp, createStore, type TestApp, type TestStore } from '../app/app-harness';
import { readReport, runMigrate, sha256 } from '../data-migration/support/migrate-cli';

/**
 * The product's own story end to end: the app runs on SQLite and fills its database through the API;
 * the PostgreSQL schema comes from the app's own migrations; `migrate` copies the data; the app on
 * PostgreSQL answers the same requests with the same responses and new inserts get fresh ids.
 */
const NOW = '2026-11-26T12:00:00.000Z';

async function fill(t: TestApp): Promise<string[]> {
  const http = () => request(t.app.getHttpServer());
  const auth = { Authorization: `Bearer ${ADMIN_TOKEN}` };
  const news = await http()
    .post('/sources')
    .send({ name: 'News 📰', url: 'https://news.example/feed' })
    .expect(201);
  const blog = await http()
    .post('/sources')
    .send({ name: 'Blog', url: 'https://blog.example/rss' })
    .expect(201);
  const doomed = await http()
    .post('/sources')
    .send({ name: 'Doomed', url: 'https://gone.example' })
    .expect(201);
  const entries = Array.from({ length: 40 }, (_, i) => ({
    sourceId: i % 2 === 0 ? news.body.id : blog.body.id,
    title: `Entry ${i} — ${['漢字', 'émoji 🐘', 'plain', 'quote \' and " and \\'][i % 4]}`,
    body: `Body ${i}\nline two\ttabbed`,
    url: i % 5 === 0 ? null : `https://example.com/e/${i}`,
    // Spread over the Chicago days 2026-11-24 and 2026-11-25 (UTC offsets included), crossing midnight.
    publishedAt: new Date(Date.UTC(2026, 10, 24, 4, 0, 0) + i * 75 * 60_000).toISOString(),
    score: i % 3 === 0 ? 12.5 + i : -i / 4,
    tags: i % 4 === 0 ? [] : ['pg', `t${i}`],
  }));
  await http().post('/entries').send(entries).expect(201);
  await http()
    .post('/entries')
    .send({ sourceId: doomed.body.id, title: 'gone', body: 'b', publishedAt: '2026-11-25T10:00:00-06:00' })
    .expect(201);
  // Deleting leaves gaps in the ids, which the sequences on PostgreSQL must step over.
  await http().delete(`/sources/${doomed.body.id}`).expect(204);
  await http().patch(`/sources/${blog.body.id}`).send({ isActive: false }).expect(200);
  const ann = await http().post('/subscribers').send({ email: 'ann@example.com', name: 'Ann' }).expect(201);
  const bob = await http()
    .post('/subscribers')
    .send({ email: 'bob@example.com', name: 'Bob 🍀' })
    .expect(201);
  await http()
    .put(`/subscribers/${ann.body.id}/subscriptions/${news.body.id}`)
    .expect((r) => expect(r.status).toBeLessThan(300));
  await http()
    .put(`/subscribers/${bob.body.id}/subscriptions/${news.body.id}`)
    .expect((r) => expect(r.status).toBeLessThan(300));
  await http()
    .put(`/subscribers/${bob.body.id}/subscriptions/${blog.body.id}`)
    .expect((r) => expect(r.status).toBeLessThan(300));
  await http()
    .post('/jobs/daily-digest/run')
    .set(auth)
    .send({ date: '2026-11-24' })
    .expect((r) => expect(r.status).toBeLessThan(300));
  await http()
    .post('/jobs/daily-digest/run')
    .set(auth)
    .send({ date: '2026-11-25' })
    .expect((r) => expect(r.status).toBeLessThan(300));

  const digests = await http()
    .get(`/subscribers/${bob.body.id}/digests?from=2026-11-01&to=2026-11-30`)
    .expect(200);
  const digestIds = (digests.body as { id: number }[]).map((d) => d.id);
  expect(digestIds.length).toBe(2);
  const from = encodeURIComponent('2026-11-24T00:00:00-06:00');
  const to = encodeURIComponent('2026-11-26T00:00:00-06:00');
  return [
    '/sources',
    `/sources/${news.body.id}`,
    `/sources/${blog.body.id}`,
    `/entries?sourceId=${news.body.id}&limit=7`,
    `/entries?sourceId=${blog.body.id}&from=${from}&to=${to}&limit=500`,
    `/entries?from=${from}&to=${to}&limit=500`,
    `/entries/1`,
    `/entries/40`,
    `/subscribers/${ann.body.id}`,
    `/subscribers/${bob.body.id}`,
    `/subscribers/${ann.body.id}/digests?from=2026-11-01&to=2026-11-30`,
    `/subscribers/${bob.body.id}/digests?from=2026-11-01&to=2026-11-30`,
    ...digestIds.map((id) => `/digests/${id}`),
    '/jobs/runs?job=daily-digest',
  ];
}

async function snapshot(t: TestApp, paths: string[]): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const path of paths) {
    const res = await request(t.app.getHttpServer()).get(path);
    out[path] = { status: res.status, body: res.body as unknown };
  }
  // The second page through the cursor the first page handed out.
  const first = out[paths[3]] as { body: { nextCursor: string | null } };
  expect(first.body.nextCursor).toEqual(expect.any(String));
  const next = await request(t.app.getHttpServer()).get(
    `${paths[3]}&cursor=${encodeURIComponent(first.body.nextCursor!)}`,
  );
  out['next page'] = { status: next.status, body: next.body as unknown };
  return out;
}

describe('the app moves from SQLite to PostgreSQL with the migrate command', () => {
  let sqlite: TestStore;
  let postgres: TestStore;
  let sqlitePath: string;
  let paths: string[];
  let before: Record<string, unknown>;

  beforeAll(async () => {
    sqlite = await createStore('sqlite', 'app_move');
    postgres = await createStore('postgres', 'app_move');
    sqlitePath = sqlite.url.replace(/^sqlite:\/\//, '');
    const onSqlite = await bootApp(sqlite.url, { now: NOW });
    try {
      paths = await fill(onSqlite);
      before = await snapshot(onSqlite, paths);
    } finally {
      await onSqlite.close();
    }
    // The target schema comes from the app's own PostgreSQL migrations, applied at start-up.
    const schemaOnly = await bootApp(postgres.url, { now: NOW });
    await schemaOnly.close();
  }, 120_000);

  afterAll(async () => {
    await sqlite?.drop();
    await postgres?.drop();
  });

  it('migrates the app database into the app schema, verified, without touching the source', async () => {
    const hash = sha256(sqlitePath);
    const report = join(sqlitePath, '..', 'report.json');
    const result = await runMigrate(['--source', sqlitePath, '--target', postgres.url, '--report', report]);
    expect(result.stderr + result.stdout).toContain('succeeded');
    expect(result.code).toBe(0);
    const json = readReport(report);
    expect(json.verification?.ok).toBe(true);
    expect(json.tables.every((t: { created: boolean }) => !t.created)).toBe(true);
    expect(sha256(sqlitePath)).toBe(hash);
  }, 120_000);

  it('answers the same requests with the same responses on PostgreSQL', async () => {
    const onPostgres = await bootApp(postgres.url, { now: NOW });
    try {
      const after = await snapshot(onPostgres, paths);
      expect(after).toEqual(before);
    } finally {
      await onPostgres.close();
    }
  });

  it('gives new inserts fresh ids above every migrated one', async () => {
    const onPostgres = await bootApp(postgres.url, { now: NOW });
    try {
      const http = () => request(onPostgres.app.getHttpServer());
      const source = await http()
        .post('/sources')
        .send({ name: 'After the move', url: 'https://new.example' })
        .expect(201);
      expect(source.body.id).toBeGreaterThan(3);
      const entry = await http()
        .post('/entries')
        .send({ sourceId: source.body.id, title: 'new', body: 'b', publishedAt: '2026-11-26T09:00:00-06:00' })
        .expect(201);
      expect(entry.body.id).toBeGreaterThan(41);
      const subscriber = await http()
        .post('/subscribers')
        .send({ email: 'cy@example.com', name: 'Cy' })
        .expect(201);
      expect(subscriber.body.id).toBeGreaterThan(2);
    } finally {
      await onPostgres.close();
    }
  });
});
