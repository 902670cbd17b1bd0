import request from 'supertest';
import { ADMIN_TOKEN, bootApp, createStore, DIALECTS, type TestApp, type TestStore } from './app-harness';

interface DigestRow {
  id: number;
  digestDate: string;
  entryCount: number;
}

// The read endpoints have a hand-written PostgreSQL statement each and a TypeORM one on SQLite: both
// must answer the same, for every filter combination.
describe.each(DIALECTS)('read paths on %s', (dialect) => {
  let store: TestStore;
  let t: TestApp;
  let subscriberId: number;
  let sourceId: number;
  const http = () => request(t.app.getHttpServer());
  const days = ['2026-11-20', '2026-11-21', '2026-11-22'];

  beforeAll(async () => {
    store = await createStore(dialect, 'read_paths');
    t = await bootApp(store.url, { now: '2026-11-26T18:00:00Z' });
    sourceId = (await http().post('/sources').send({ name: 'R', url: 'https://r.example' }).expect(201)).body
      .id;
    subscriberId = (await http().post('/subscribers').send({ email: 'r@example.com', name: 'R' }).expect(201))
      .body.id;
    await http().put(`/subscribers/${subscriberId}/subscriptions/${sourceId}`).expect(200);
    // Day i gets i + 1 entries, published out of id order so positions follow publishedAt.
    for (const [i, day] of days.entries()) {
      const entries = Array.from({ length: i + 1 }, (_, k) => ({
        sourceId,
        title: `${day} #${k}`,
        body: 'b',
        publishedAt: `${day}T${String(20 - k).padStart(2, '0')}:00:00Z`,
        score: k + 0.25,
        tags: [day],
      }));
      await http().post('/entries').send(entries).expect(201);
      await http()
        .post('/jobs/daily-digest/run')
        .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
        .send({ date: day })
        .expect(200);
    }
  });
  afterAll(async () => {
    await t?.close();
    await store?.drop();
  });

  const digestDates = async (query: Record<string, string>) =>
    (
      (await http().get(`/subscribers/${subscriberId}/digests`).query(query).expect(200)).body as DigestRow[]
    ).map((d) => [d.digestDate, d.entryCount]);

  it('lists a subscriber’s digests for every range shape', async () => {
    expect(await digestDates({})).toEqual([
      ['2026-11-20', 1],
      ['2026-11-21', 2],
      ['2026-11-22', 3],
    ]);
    expect(await digestDates({ from: '2026-11-21' })).toEqual([
      ['2026-11-21', 2],
      ['2026-11-22', 3],
    ]);
    expect(await digestDates({ to: '2026-11-21' })).toEqual([
      ['2026-11-20', 1],
      ['2026-11-21', 2],
    ]);
    expect(await digestDates({ from: '2026-11-21', to: '2026-11-21' })).toEqual([['2026-11-21', 2]]);
    expect(await digestDates({ from: '2026-11-23' })).toEqual([]);
    await http().get('/subscribers/999999/digests').query({ from: '2026-11-21' }).expect(404);
  });

  it('reads a digest with its entries in published order, each as GET /entries/:id shows it', async () => {
    const list = (
      await http().get(`/subscribers/${subscriberId}/digests`).query({ from: '2026-11-22' }).expect(200)
    ).body as DigestRow[];
    const digest = (await http().get(`/digests/${list[0].id}`).expect(200)).body;
    expect(digest).toMatchObject({ id: list[0].id, subscriberId, digestDate: '2026-11-22', entryCount: 3 });
    expect(digest.generatedAt).toBe('2026-11-26T12:00:00.000-06:00');
    expect(
      (digest.entries as { title: string; position: number }[]).map((e) => [e.position, e.title]),
    ).toEqual([
      [1, '2026-11-22 #2'],
      [2, '2026-11-22 #1'],
      [3, '2026-11-22 #0'],
    ]);
    for (const { position: _position, ...entry } of digest.entries as { id: number; position: number }[]) {
      expect((await http().get(`/entries/${entry.id}`).expect(200)).body).toEqual(entry);
    }
    await http().get('/digests/999999').expect(404);
  });

  it('reads a source as the list shows it', async () => {
    const one = (await http().get(`/sources/${sourceId}`).expect(200)).body;
    const all = (await http().get('/sources').expect(200)).body as { id: number }[];
    expect(one).toEqual(all.find((s) => s.id === sourceId));
    expect(one).toMatchObject({ name: 'R', isActive: true, createdAt: '2026-11-26T12:00:00.000-06:00' });
    await http().patch(`/sources/${sourceId}`).send({ isActive: false }).expect(200);
    expect((await http().get(`/sources/${sourceId}`).expect(200)).body.isActive).toBe(false);
  });
});
