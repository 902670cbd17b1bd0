import request from 'supertest';
import { bootApp, type TestApp } from './app-harness';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres';
import { waitUntil } from '../support/wait-until';

// A PostgreSQL of its own, so stopping it does not disturb the other suites' server.
describe('PostgreSQL stopped while the API serves', () => {
  let server: PrivatePostgres;
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    server = await startPrivatePostgres('outage');
    await server.createDatabase('outage');
    t = await bootApp(server.url('outage'));
    const source = await http().post('/sources').send({ name: 'S', url: 'https://s.example' }).expect(201);
    await http()
      .post('/entries')
      .send({ sourceId: source.body.id, title: 't', body: 'b', publishedAt: '2026-11-25T10:00:00Z' })
      .expect(201);
  }, 60000);
  afterAll(async () => {
    await t?.close().catch(() => undefined);
    await server?.dispose();
  });

  it('turns readiness 503 within seconds, fails requests fast with 503, and recovers without a restart', async () => {
    await http().get('/health/ready').expect(200);
    await server.stop();

    const notReadyAfter = await waitUntil(
      'readiness 503',
      async () => (await http().get('/health/ready')).status === 503,
      5000,
      200,
    );
    expect(notReadyAfter).toBeLessThan(5000);
    await http().get('/health/live').expect(200);

    for (const path of ['/entries', '/sources', '/entries/1']) {
      const started = Date.now();
      const res = await http().get(path);
      expect([path, res.status]).toEqual([path, 503]);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body.code).toBe('DB_UNAVAILABLE');
      expect(Date.now() - started).toBeLessThan(3000);
    }

    await server.start();
    const readyAfter = await waitUntil(
      'readiness 200',
      async () => (await http().get('/health/ready')).status === 200,
      15000,
      200,
    );
    expect(readyAfter).toBeLessThan(15000);
    const res = await http().get('/entries').expect(200);
    expect(res.body.items).toHaveLength(1);
  }, 60000);
});
