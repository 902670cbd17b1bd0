import request from 'supertest';
import { bootApp, createStore, DIALECTS, type TestApp, type TestStore } from './app-harness';

interface Row {
  id: number;
  title: string;
}

/** A PostgreSQL timestamptz literal as SQLite stores instants: UTC text, at most milliseconds. */
const sqliteText = (pg: string): string => pg.replace(/\+00$/, '').replace(/(\.\d{3})\d+$/, '$1');

describe.each(DIALECTS)('content API on %s', (dialect) => {
  let store: TestStore;
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    store = await createStore(dialect, 'content_api');
    t = await bootApp(store.url);
  });
  afterAll(async () => {
    await t?.close();
    await store?.drop();
  });

  describe('sources', () => {
    let id: number;

    it('creates a source and formats createdAt in Chicago time', async () => {
      t.clock.set('2026-11-25T15:00:00.000Z');
      const res = await http()
        .post('/sources')
        .send({ name: 'Alpha', url: 'https://alpha.example/feed' })
        .expect(201);
      expect(res.body).toEqual({
        id: expect.any(Number),
        name: 'Alpha',
        url: 'https://alpha.example/feed',
        isActive: true,
        createdAt: '2026-11-25T09:00:00.000-06:00',
      });
      id = res.body.id;
    });

    it('refuses a duplicate name with 409 naming it', async () => {
      const res = await http().post('/sources').send({ name: 'Alpha', url: 'https://x.example' }).expect(409);
      expect(res.body.message).toContain('Alpha');
    });

    it('refuses unknown and bad fields with a 400 naming each', async () => {
      const res = await http()
        .post('/sources')
        .send({ name: '', url: 'not a url', color: 'red' })
        .expect(400);
      expect(Object.keys(res.body.fields).sort()).toEqual(['color', 'name', 'url']);
    });

    it('lists, reads, patches and 404s', async () => {
      const list = await http().get('/sources').expect(200);
      expect((list.body as { name: string }[]).map((s) => s.name)).toEqual(['Alpha']);
      await http().get(`/sources/${id}`).expect(200);
      const patched = await http().patch(`/sources/${id}`).send({ isActive: false }).expect(200);
      expect(patched.body.isActive).toBe(false);
      await http().patch(`/sources/${id}`).send({ isActive: true }).expect(200);
      await http().get('/sources/999999').expect(404);
      await http().get('/sources/abc').expect(400);
    });

    it('deletes a source with its entries', async () => {
      const s = await http().post('/sources').send({ name: 'Doomed', url: 'https://d.example' }).expect(201);
      const e = await http()
        .post('/entries')
        .send({ sourceId: s.body.id, title: 't', body: 'b', publishedAt: '2026-11-20T10:00:00Z' })
        .expect(201);
      await http().delete(`/sources/${s.body.id}`).expect(204);
      await http().get(`/sources/${s.body.id}`).expect(404);
      await http().get(`/entries/${e.body.id}`).expect(404);
    });
  });

  describe('entries', () => {
    let sourceId: number;
    let otherSourceId: number;

    beforeAll(async () => {
      sourceId = (await http().post('/sources').send({ name: 'Entries', url: 'https://e.example' })).body.id;
      otherSourceId = (await http().post('/sources').send({ name: 'Other', url: 'https://o.example' })).body
        .id;
    });

    it('stores one entry with any UTF-8 and answers in Chicago time', async () => {
      const body = 'emoji 🐘🎉, CJK 漢字かな한글, RTL שלום, combining é';
      const res = await http()
        .post('/entries')
        .send({
          sourceId,
          title: 'Unicode ✓',
          body,
          url: 'https://e.example/1',
          publishedAt: '2026-11-25T15:30:00+05:30',
          score: 12.5,
          tags: ['pg', 'テスト'],
        })
        .expect(201);
      expect(res.body).toMatchObject({
        id: expect.any(Number),
        sourceId,
        title: 'Unicode ✓',
        body,
        publishedAt: '2026-11-25T04:00:00.000-06:00',
        score: 12.5,
        tags: ['pg', 'テスト'],
      });
      const read = await http().get(`/entries/${res.body.id}`).expect(200);
      expect(read.body).toEqual(res.body);
    });

    it('refuses a bad publishedAt with a 400 naming publishedAt', async () => {
      for (const publishedAt of ['yesterday', '2026-11-25T10:00:00', '2026-13-01T00:00:00Z', 5]) {
        const res = await http()
          .post('/entries')
          .send({ sourceId, title: 't', body: 'b', publishedAt })
          .expect(400);
        expect(Object.keys(res.body.fields)).toEqual(['publishedAt']);
        expect(JSON.stringify(res.body.message)).toContain('publishedAt');
      }
    });

    it('takes score as a number or a decimal string, at most 2 decimals', async () => {
      const base = { sourceId, title: 's', body: 'b', publishedAt: '2026-11-25T10:00:00Z' };
      expect(
        (
          await http()
            .post('/entries')
            .send({ ...base, score: '12.30' })
            .expect(201)
        ).body.score,
      ).toBe(12.3);
      expect(
        (
          await http()
            .post('/entries')
            .send({ ...base, score: -0.5 })
            .expect(201)
        ).body.score,
      ).toBe(-0.5);
      for (const score of ['12.345', 'abc', '1e3', 123456789.5]) {
        const res = await http()
          .post('/entries')
          .send({ ...base, score })
          .expect(400);
        expect(Object.keys(res.body.fields)).toEqual(['score']);
      }
    });

    it('refuses an unknown source with a 400 naming sourceId', async () => {
      const res = await http()
        .post('/entries')
        .send({ sourceId: 999999, title: 't', body: 'b', publishedAt: '2026-11-25T10:00:00Z' })
        .expect(400);
      expect(Object.keys(res.body.fields)).toEqual(['sourceId']);
    });

    it('refuses a duplicate url with 409', async () => {
      await http()
        .post('/entries')
        .send({
          sourceId,
          title: 't',
          body: 'b',
          url: 'https://e.example/1',
          publishedAt: '2026-11-25T10:00:00Z',
        })
        .expect(409);
    });

    it('stores an array in one transaction, all or nothing', async () => {
      const batch = Array.from({ length: 3 }, (_, i) => ({
        sourceId,
        title: `batch ${i}`,
        body: 'b',
        publishedAt: `2026-11-24T1${i}:00:00Z`,
      }));
      const bad = [...batch, { sourceId, title: 'x', body: 'b', publishedAt: 'nope' }];
      const refused = await http().post('/entries').send(bad).expect(400);
      expect(Object.keys(refused.body.fields)).toEqual(['[3].publishedAt']);
      const before = await http().get('/entries').query({ sourceId, limit: 500 }).expect(200);
      const stored = await http().post('/entries').send(batch).expect(201);
      expect((stored.body as Row[]).map((e) => e.title)).toEqual(['batch 0', 'batch 1', 'batch 2']);
      const ids = (stored.body as Row[]).map((e) => e.id);
      expect(new Set(ids).size).toBe(3);
      const after = await http().get('/entries').query({ sourceId, limit: 500 }).expect(200);
      expect(after.body.items.length).toBe(before.body.items.length + 3);
    });

    it('rolls back a whole array when one entry conflicts', async () => {
      const before = await http().get('/entries').query({ limit: 500 }).expect(200);
      await http()
        .post('/entries')
        .send([
          {
            sourceId,
            title: 'ok',
            body: 'b',
            url: 'https://e.example/new',
            publishedAt: '2026-11-24T10:00:00Z',
          },
          {
            sourceId,
            title: 'dup',
            body: 'b',
            url: 'https://e.example/1',
            publishedAt: '2026-11-24T10:00:00Z',
          },
        ])
        .expect(409);
      const after = await http().get('/entries').query({ limit: 500 }).expect(200);
      expect(after.body.items.length).toBe(before.body.items.length);
    });

    it('refuses more than 1000 entries', async () => {
      const many = Array.from({ length: 1001 }, () => ({
        sourceId,
        title: 't',
        body: 'b',
        publishedAt: '2026-11-24T10:00:00Z',
      }));
      await http().post('/entries').send(many).expect(400);
    });

    it('pages a time range with keyset cursors, in published order', async () => {
      const rows = Array.from({ length: 25 }, (_, i) => ({
        sourceId: i % 5 === 0 ? otherSourceId : sourceId,
        title: `page ${i}`,
        body: 'b',
        // several rows share an instant so the id tie-break matters
        publishedAt: new Date(Date.UTC(2026, 9, 1, 12, Math.floor(i / 3))).toISOString(),
      }));
      await http().post('/entries').send(rows).expect(201);
      const from = '2026-10-01T07:00:00-05:00';
      const to = '2026-10-01T12:07:00Z';
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const res = await http()
          .get('/entries')
          .query({ from, to, limit: 4, ...(cursor ? { cursor } : {}) })
          .expect(200);
        seen.push(...(res.body.items as Row[]).map((e) => e.title));
        cursor = res.body.nextCursor ?? undefined;
        pages++;
      } while (cursor && pages < 20);
      // [12:00, 12:07) holds i = 0..20
      expect(seen).toEqual(Array.from({ length: 21 }, (_, i) => `page ${i}`));
      const onlyOne = await http().get('/entries').query({ from, to, sourceId: otherSourceId }).expect(200);
      expect((onlyOne.body.items as Row[]).map((e) => e.title)).toEqual([
        'page 0',
        'page 5',
        'page 10',
        'page 15',
        'page 20',
      ]);
      expect(onlyOne.body.nextCursor).toBeNull();
      expect(onlyOne.body.items[0].publishedAt).toBe('2026-10-01T07:00:00.000-05:00');
    });

    it('lists entries exactly as single reads return them, instants stored by other writers included', async () => {
      const source = (await http().post('/sources').send({ name: 'Raw', url: 'https://raw.example' })).body
        .id as number;
      // Written with SQL, not the API: sub-millisecond digits, an instant before 1970, odd text.
      const rows: [string, string, string][] = [
        ['quote \' " \\ \u2028 tab\t', '1965-03-01 00:00:00.000500+00', '1965-03-01 00:00:00.999999+00'],
        ['µs', '2026-10-01 12:00:00.123999+00', '2026-10-01 12:00:00.5+00'],
        ['old', '1899-12-31 23:59:59.9+00', '9999-06-01 00:00:00+00'],
      ];
      for (const [title, publishedAt, createdAt] of rows) {
        await t.dataSource.query(
          dialect === 'postgres'
            ? `INSERT INTO entries (source_id, title, body, url, published_at, score, tags, created_at)
               VALUES ($1, $2, 'b', NULL, $3::timestamptz, -1.25, '["x"]'::jsonb, $4::timestamptz)`
            : `INSERT INTO entries (source_id, title, body, url, published_at, score, tags, created_at)
               VALUES (?, ?, 'b', NULL, ?, -1.25, '["x"]', ?)`,
          dialect === 'postgres'
            ? [source, title, publishedAt, createdAt]
            : [source, title, sqliteText(publishedAt), sqliteText(createdAt)],
        );
      }
      const page = await http().get('/entries').query({ sourceId: source }).expect(200);
      expect((page.body.items as Row[]).map((e) => e.title)).toEqual([
        'old',
        'quote \' " \\ \u2028 tab\t',
        'µs',
      ]);
      for (const item of page.body.items as Row[]) {
        expect((await http().get(`/entries/${item.id}`).expect(200)).body).toEqual(item);
      }
      expect(page.body.items[1].publishedAt).toBe('1965-02-28T18:00:00.000-06:00');
      expect(page.body.items[2].publishedAt).toBe('2026-10-01T07:00:00.123-05:00');
    });

    it('refuses hostile query parameters with 400', async () => {
      for (const query of [
        { sourceId: '1 OR 1=1' },
        { sourceId: "1'; DROP TABLE entries; --" },
        { from: 'now' },
        { limit: '0' },
        { limit: '100000' },
        { cursor: "' OR 1=1 --" },
        { unknown: 'x' },
      ]) {
        const res = await http().get('/entries').query(query);
        expect([query, res.status]).toEqual([query, 400]);
      }
    });
  });

  describe('subscribers and subscriptions', () => {
    it('creates, subscribes idempotently, unsubscribes', async () => {
      const src = (await http().post('/sources').send({ name: 'Subbed', url: 'https://s.example' })).body;
      const sub = await http()
        .post('/subscribers')
        .send({ email: 'ada@example.com', name: 'Ada' })
        .expect(201);
      expect(sub.body).toMatchObject({ email: 'ada@example.com', isActive: true, sourceIds: [] });
      await http().post('/subscribers').send({ email: 'ada@example.com', name: 'Ada 2' }).expect(409);
      await http().post('/subscribers').send({ email: 'not-an-email', name: 'x' }).expect(400);
      const id = sub.body.id;
      await http().put(`/subscribers/${id}/subscriptions/${src.id}`).expect(200);
      const again = await http().put(`/subscribers/${id}/subscriptions/${src.id}`).expect(200);
      expect(again.body).toMatchObject({ subscriberId: id, sourceId: src.id });
      expect((await http().get(`/subscribers/${id}`).expect(200)).body.sourceIds).toEqual([src.id]);
      await http().put(`/subscribers/${id}/subscriptions/999999`).expect(404);
      await http().put(`/subscribers/999999/subscriptions/${src.id}`).expect(404);
      await http().delete(`/subscribers/${id}/subscriptions/${src.id}`).expect(204);
      await http().delete(`/subscribers/${id}/subscriptions/${src.id}`).expect(204);
      expect((await http().get(`/subscribers/${id}`).expect(200)).body.sourceIds).toEqual([]);
      await http().get('/subscribers/999999').expect(404);
      await http().get('/subscribers/999999/digests').expect(404);
      await http().get(`/subscribers/${id}/digests`).query({ from: '2026-02-30' }).expect(400);
      expect((await http().get(`/subscribers/${id}/digests`).expect(200)).body).toEqual([]);
    });
  });

  describe('jobs endpoints', () => {
    it('refuses the trigger without the token', async () => {
      await http().post('/jobs/daily-digest/run').send({}).expect(401);
      await http()
        .post('/jobs/daily-digest/run')
        .set('Authorization', 'Bearer wrong-token')
        .send({})
        .expect(401);
    });
    it('refuses a bad date', async () => {
      const res = await http()
        .post('/jobs/daily-digest/run')
        .set('Authorization', 'Bearer test-admin-token-0123456789')
        .send({ date: '2026-11-31' })
        .expect(400);
      expect(Object.keys(res.body.fields)).toEqual(['date']);
    });
  });

  describe('hostile bodies', () => {
    it('answers malformed JSON with 400 and an oversized body with 413', async () => {
      await http().post('/sources').set('content-type', 'application/json').send('{"name": "x",').expect(400);
      const huge = JSON.stringify({ name: 'x', url: 'https://x.example', pad: 'x'.repeat(2 * 1024 * 1024) });
      await http().post('/sources').set('content-type', 'application/json').send(huge).expect(413);
    });
    it('answers wrong types with 400 naming the field', async () => {
      const res = await http()
        .post('/sources')
        .send({ name: ['a'], url: 'https://x.example', isActive: 'yes' });
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.fields).sort()).toEqual(['isActive', 'name']);
      await http().post('/entries').send('null').set('content-type', 'application/json').expect(400);
      await http().post('/entries').send([]).expect(400);
    });
  });

  describe('service endpoints', () => {
    it('serves the OpenAPI page and document', async () => {
      await http().get('/docs').expect(200);
      const doc = await http().get('/docs-json').expect(200);
      expect(Object.keys(doc.body.paths)).toEqual(
        expect.arrayContaining(['/sources', '/entries', '/jobs/daily-digest/run', '/digests/{id}']),
      );
    });
    it('serves Prometheus metrics with route patterns', async () => {
      const res = await http().get('/metrics').expect(200);
      expect(res.headers['content-type']).toContain('text/plain');
      expect(res.text).toMatch(
        /http_request_duration_seconds_count\{method="GET",route="\/entries\/:id",status="200"\}/,
      );
      expect(res.text).toContain('job_runs_total');
      if (dialect === 'postgres') expect(res.text).toMatch(/db_pool_connections_max \d+/);
    });
  });
});
