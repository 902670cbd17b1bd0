import request from 'supertest';
import { bootApp, type TestApp } from '../app/app-harness';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const LIMIT_KB = 100;

describe('HTTP hardening', () => {
  let db: TestDatabase;
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    db = await createTestDatabase('http_hardening');
    t = await bootApp(db.url, { env: { HTTP_BODY_LIMIT_KB: String(LIMIT_KB) } });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('sends the helmet security headers and hides the framework', async () => {
    for (const path of ['/health/live', '/entries', '/sources/abc']) {
      const res = await http().get(path);
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'strict-transport-security': expect.stringContaining('max-age='),
        'content-security-policy': expect.stringContaining("default-src 'self'"),
        'cross-origin-opener-policy': 'same-origin',
        'referrer-policy': 'no-referrer',
      });
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it(`refuses a body over HTTP_BODY_LIMIT_KB=${LIMIT_KB} with 413, not 500, and takes one just under it`, async () => {
    const source = await http()
      .post('/sources')
      .send({ name: 'Big', url: 'https://big.example' })
      .expect(201);
    const entry = (body: string) => ({
      sourceId: source.body.id,
      title: 't',
      body,
      publishedAt: '2026-11-25T10:00:00Z',
    });
    const over = await http()
      .post('/entries')
      .send(entry('x'.repeat(LIMIT_KB * 1024 + 1)));
    expect(over.status).toBe(413);
    expect(over.headers['content-type']).toMatch(/json/);
    await http()
      .post('/entries')
      .send(entry('x'.repeat(90 * 1024)))
      .expect(201);
    // Many small entries adding up to more than the limit are refused the same way.
    const many = Array.from({ length: 1000 }, (_, i) => ({ ...entry('y'.repeat(200)), title: `t${i}` }));
    expect((await http().post('/entries').send(many)).status).toBe(413);
  });

  it('answers malformed JSON with 400 naming the problem, not 500', async () => {
    const res = await http().post('/sources').set('content-type', 'application/json').send('{"name":');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/json/);
  });
});
