import request from 'supertest';
import { ADMIN_TOKEN, bootApp, type TestApp } from '../app/app-harness';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

interface Probe {
  name: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  query?: Record<string, string | string[]>;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

const INJECTIONS = [
  '1;DROP TABLE entries',
  '1 OR 1=1',
  "1' OR '1'='1",
  "1'; DROP TABLE entries; --",
  '1 UNION SELECT * FROM pg_shadow',
  '1)--',
  '-1',
  '0x10',
  '1e3',
  '1.5',
  ' 1',
  '',
];

/** Nested `depth` levels deep: {"a":{"a":…}}. */
const deepObject = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

const entry = (overrides: Record<string, unknown> = {}) => ({
  sourceId: 1,
  title: 't',
  body: 'b',
  publishedAt: '2026-11-25T10:00:00Z',
  ...overrides,
});

const probes: Probe[] = [
  ...INJECTIONS.map((v): Probe => ({
    name: `sourceId=${v}`,
    method: 'get',
    path: '/entries',
    query: { sourceId: v },
  })),
  { name: 'two sourceIds', method: 'get', path: '/entries', query: { sourceId: ['1', '2'] } },
  { name: 'cursor injection', method: 'get', path: '/entries', query: { cursor: "' OR 1=1--" } },
  {
    name: 'cursor garbage base64',
    method: 'get',
    path: '/entries',
    query: { cursor: 'eyJ4IjoiJyBPUiAxPTEifQ' },
  },
  { name: 'cursor too long', method: 'get', path: '/entries', query: { cursor: 'A'.repeat(5000) } },
  { name: 'from injection', method: 'get', path: '/entries', query: { from: "2026-01-01'); DROP" } },
  { name: 'to injection', method: 'get', path: '/entries', query: { to: "2026-01-01' OR '1'='1" } },
  { name: 'from out of range', method: 'get', path: '/entries', query: { from: '99999-01-01T00:00:00Z' } },
  { name: 'limit injection', method: 'get', path: '/entries', query: { limit: '10; DELETE FROM entries' } },
  { name: 'limit huge', method: 'get', path: '/entries', query: { limit: '99999999999999999999' } },
  { name: 'unknown query field', method: 'get', path: '/entries', query: { orderBy: 'id; DROP TABLE x' } },
  { name: 'jobs runs bad job', method: 'get', path: '/jobs/runs', query: { job: "daily-digest' OR 1=1" } },
  {
    name: 'digests bad range',
    method: 'get',
    path: '/subscribers/1/digests',
    query: { from: "2026-01-01' --" },
  },
  ...[
    'abc',
    '99999999999999999999',
    '9999999999',
    '2147483648',
    '1.5',
    '-1',
    '0',
    '1;DROP TABLE sources',
    '%27%20OR%201%3D1',
  ].flatMap((id): Probe[] => [
    { name: `GET /sources/${id}`, method: 'get', path: `/sources/${id}` },
    { name: `GET /entries/${id}`, method: 'get', path: `/entries/${id}` },
    { name: `GET /digests/${id}`, method: 'get', path: `/digests/${id}` },
    { name: `DELETE /sources/${id}`, method: 'delete', path: `/sources/${id}` },
    { name: `PUT subscription ${id}`, method: 'put', path: `/subscribers/1/subscriptions/${id}` },
  ]),
  {
    name: 'source wrong types',
    method: 'post',
    path: '/sources',
    body: { name: 123, url: ['x'], isActive: 'yes' },
  },
  {
    name: 'source unknown field',
    method: 'post',
    path: '/sources',
    body: { name: 'n', url: 'https://n.example', id: 1 },
  },
  {
    name: 'source sql name too long',
    method: 'post',
    path: '/sources',
    body: { name: "x'".repeat(200), url: 'https://n.example' },
  },
  {
    name: 'source javascript url',
    method: 'post',
    path: '/sources',
    body: { name: 'n', url: 'javascript:alert(1)' },
  },
  { name: 'source null body', method: 'post', path: '/sources', rawBody: 'null' },
  {
    name: 'source array body',
    method: 'post',
    path: '/sources',
    body: [{ name: 'n', url: 'https://n.example' }],
  },
  { name: 'source string body', method: 'post', path: '/sources', rawBody: '"name"' },
  { name: 'malformed JSON', method: 'post', path: '/sources', rawBody: '{"name": "n",' },
  {
    name: 'patch unknown field',
    method: 'patch',
    path: '/sources/1',
    body: { createdAt: '2020-01-01T00:00:00Z' },
  },
  { name: 'entry sourceId string', method: 'post', path: '/entries', body: entry({ sourceId: '1 OR 1=1' }) },
  { name: 'entry sourceId float', method: 'post', path: '/entries', body: entry({ sourceId: 1.5 }) },
  { name: 'entry sourceId huge', method: 'post', path: '/entries', body: entry({ sourceId: 1e30 }) },
  {
    name: 'entry publishedAt injection',
    method: 'post',
    path: '/entries',
    body: entry({ publishedAt: "2026-01-01'); DROP TABLE entries; --" }),
  },
  { name: 'entry score NaN-ish', method: 'post', path: '/entries', body: entry({ score: '1e309' }) },
  { name: 'entry score too big', method: 'post', path: '/entries', body: entry({ score: 1e12 }) },
  { name: 'entry tags object', method: 'post', path: '/entries', body: entry({ tags: { $gt: '' } }) },
  {
    name: 'entry tags too many',
    method: 'post',
    path: '/entries',
    body: entry({ tags: Array.from({ length: 51 }, () => 't') }),
  },
  { name: 'entry nested unknown', method: 'post', path: '/entries', body: entry({ extra: { deep: true } }) },
  {
    name: 'entry NUL character',
    method: 'post',
    path: '/entries',
    body: entry({ title: 'nul\u0000byte', body: 'x\u0000y' }),
  },
  { name: 'entry title empty', method: 'post', path: '/entries', body: entry({ title: '' }) },
  { name: 'entry title too long', method: 'post', path: '/entries', body: entry({ title: 'x'.repeat(501) }) },
  { name: 'entry unknown source', method: 'post', path: '/entries', body: entry({ sourceId: 2147483647 }) },
  {
    name: 'entries 1001',
    method: 'post',
    path: '/entries',
    body: Array.from({ length: 1001 }, () => entry()),
  },
  { name: 'entries empty array', method: 'post', path: '/entries', body: [] },
  { name: 'entries array of junk', method: 'post', path: '/entries', body: [1, 'x', null, [], true] },
  { name: 'deep JSON', method: 'post', path: '/entries', rawBody: deepObject(5000) },
  { name: 'deep JSON array', method: 'post', path: '/entries', rawBody: '['.repeat(5000) + ']'.repeat(5000) },
  {
    name: 'subscriber bad email',
    method: 'post',
    path: '/subscribers',
    body: { email: "a'@example.com' OR 1=1", name: 'x' },
  },
  {
    name: 'wrong content type',
    method: 'post',
    path: '/sources',
    rawBody: 'name=n&url=https://n.example',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  },
  { name: 'admin without token', method: 'post', path: '/jobs/daily-digest/run', body: {} },
  {
    name: 'admin wrong token',
    method: 'post',
    path: '/jobs/daily-digest/run',
    body: {},
    headers: { authorization: 'Bearer wrong-token-0123456789' },
  },
  {
    name: 'admin token prefix',
    method: 'post',
    path: '/jobs/daily-digest/run',
    body: {},
    headers: { authorization: `Bearer ${ADMIN_TOKEN.slice(0, -1)}` },
  },
  {
    name: 'admin token longer',
    method: 'post',
    path: '/jobs/daily-digest/run',
    body: {},
    headers: { authorization: `Bearer ${ADMIN_TOKEN}x` },
  },
  {
    name: 'admin basic auth',
    method: 'post',
    path: '/jobs/daily-digest/run',
    body: {},
    headers: { authorization: `Basic ${ADMIN_TOKEN}` },
  },
  {
    name: 'admin empty bearer',
    method: 'post',
    path: '/jobs/daily-digest/run',
    body: {},
    headers: { authorization: 'Bearer ' },
  },
  {
    name: 'admin two tokens',
    method: 'post',
    path: '/jobs/daily-digest/run',
    body: {},
    headers: { authorization: `Bearer wrong ${ADMIN_TOKEN}` },
  },
  {
    name: 'admin date injection',
    method: 'post',
    path: '/jobs/daily-digest/run',
    body: { date: "2026-01-01'; DROP TABLE digests; --" },
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  },
  {
    name: 'admin unknown field',
    method: 'post',
    path: '/jobs/daily-digest/run',
    body: { slot: 'now' },
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  },
];

describe('hostile input is a 4xx, never a 500', () => {
  let db: TestDatabase;
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());

  const send = (probe: Probe) => {
    let req = http()[probe.method](probe.path);
    if (probe.query) req = req.query(probe.query);
    for (const [k, v] of Object.entries(probe.headers ?? {})) req = req.set(k, v);
    if (probe.rawBody !== undefined) {
      if (!probe.headers?.['content-type']) req = req.set('content-type', 'application/json');
      return req.send(probe.rawBody);
    }
    return probe.body === undefined ? req : req.send(probe.body as object);
  };

  const tableState = async (): Promise<Record<string, number>> => {
    const rows = await t.dataSource.query<{ table_name: string }[]>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    const out: Record<string, number> = {};
    for (const { table_name } of rows) {
      const [{ n }] = await t.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM "${table_name}"`,
      );
      out[table_name] = n;
    }
    return out;
  };

  beforeAll(async () => {
    db = await createTestDatabase('hostile_input');
    t = await bootApp(db.url);
    const source = await http().post('/sources').send({ name: 'S', url: 'https://s.example' }).expect(201);
    await http()
      .post('/entries')
      .send(entry({ sourceId: source.body.id }))
      .expect(201);
    await http().post('/subscribers').send({ email: 's@example.com', name: 'S' }).expect(201);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('answers an injection-shaped sourceId with 400 naming sourceId', async () => {
    const res = await http().get('/entries').query({ sourceId: '1;DROP TABLE entries' });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.fields)).toEqual(['sourceId']);
  });

  it(`walks ${probes.length} hostile requests: every one a 4xx, and the tables and rows untouched`, async () => {
    const before = await tableState();
    expect(Object.keys(before)).toEqual(
      expect.arrayContaining(['sources', 'entries', 'subscribers', 'digests', 'digest_entries', 'job_runs']),
    );
    const outcomes: { name: string; status: number }[] = [];
    for (const probe of probes) {
      const res = await send(probe);
      outcomes.push({ name: probe.name, status: res.status });
      expect(res.headers['content-type']).toMatch(/json/);
    }
    const wrong = outcomes.filter((o) => o.status < 400 || o.status >= 500);
    expect(wrong).toEqual([]);
    expect(await tableState()).toEqual(before);
    await http().get('/entries').expect(200);
  }, 30000);

  it('drops __proto__ and constructor keys without polluting objects or failing', async () => {
    const statuses = [
      (await http().get('/entries?__proto__[admin]=1&constructor[prototype][admin]=1')).status,
      (
        await send({
          name: 'proto body',
          method: 'post',
          path: '/sources',
          rawBody: '{"name":"p1","url":"https://p1.example","__proto__":{"admin":true}}',
        })
      ).status,
      (
        await send({
          name: 'constructor body',
          method: 'post',
          path: '/sources',
          body: { name: 'p2', url: 'https://p2.example', constructor: { prototype: { admin: true } } },
        })
      ).status,
    ];
    for (const status of statuses) expect(status).toBeLessThan(500);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).admin).toBeUndefined();
  });
});
