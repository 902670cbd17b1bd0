import request from 'supertest';
import { ADMIN_TOKEN, bootApp, createStore, DIALECTS, type TestApp, type TestStore } from './app-harness';

// Every error body carries a stable `code`; each one a client can cause is caused here, on both dialects.
describe.each(DIALECTS)('error codes on %s', (dialect) => {
  let store: TestStore;
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    store = await createStore(dialect, 'error_codes');
    t = await bootApp(store.url, { now: '2026-11-26T18:00:00Z' });
  });
  afterAll(async () => {
    await t?.close();
    await store?.drop();
  });

  it('says a missing required field is required (POST /sources with only a name)', async () => {
    const res = await http().post('/sources').send({ name: 'x' }).expect(400);
    expect(res.body).toEqual({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      error: 'Bad Request',
      message: ['url is required'],
      fields: { url: ['url is required'] },
    });
  });

  it('says so for an entry without body, alone and inside a batch', async () => {
    const entry = { sourceId: 1, title: 't', publishedAt: '2026-11-25T10:00:00Z' };
    const one = await http().post('/entries').send(entry).expect(400);
    expect(one.body).toMatchObject({ code: 'VALIDATION_FAILED', fields: { body: ['body is required'] } });
    const batch = await http()
      .post('/entries')
      .send([{ ...entry, body: 'b' }, entry])
      .expect(400);
    expect(batch.body.fields).toEqual({ '[1].body': ['[1].body: body is required'] });
  });

  it('codes malformed, oversized and too deeply nested bodies', async () => {
    const bad = await http()
      .post('/sources')
      .set('content-type', 'application/json')
      .send('{"name":')
      .expect(400);
    expect(bad.body).toMatchObject({ statusCode: 400, code: 'INVALID_JSON' });
    const huge = JSON.stringify({ name: 'x', url: 'https://x.example', pad: 'x'.repeat(2 * 1024 * 1024) });
    const big = await http().post('/sources').set('content-type', 'application/json').send(huge).expect(413);
    expect(big.body).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
    const deep = '{"a":'.repeat(40) + '1' + '}'.repeat(40);
    const nested = await http()
      .post('/sources')
      .set('content-type', 'application/json')
      .send(deep)
      .expect(400);
    expect(nested.body).toMatchObject({ code: 'VALIDATION_FAILED', fields: { body: [expect.any(String)] } });
  });

  it('codes unknown ids, unknown paths and bad path ids', async () => {
    expect((await http().get('/sources/999999').expect(404)).body).toMatchObject({ code: 'NOT_FOUND' });
    expect((await http().get('/no-such-path').expect(404)).body).toMatchObject({ code: 'NOT_FOUND' });
    expect((await http().get('/entries/abc').expect(400)).body).toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: { id: ['id must be a positive integer'] },
    });
    expect((await http().get('/entries').query({ cursor: 'nope' }).expect(400)).body).toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: { cursor: [expect.stringContaining('cursor')] },
    });
  });

  it('codes each taken unique value and the source kept by digests', async () => {
    const source = (
      await http().post('/sources').send({ name: 'Taken', url: 'https://t.example' }).expect(201)
    ).body;
    const name = await http().post('/sources').send({ name: 'Taken', url: 'https://u.example' }).expect(409);
    expect(name.body).toMatchObject({ statusCode: 409, code: 'SOURCE_NAME_TAKEN', error: 'Conflict' });
    expect(name.body.message).toContain('Taken');

    const sub = (await http().post('/subscribers').send({ email: 'a@example.com', name: 'A' }).expect(201))
      .body;
    const email = await http().post('/subscribers').send({ email: 'a@example.com', name: 'B' }).expect(409);
    expect(email.body).toMatchObject({ code: 'SUBSCRIBER_EMAIL_TAKEN' });

    const entry = {
      sourceId: source.id,
      title: 't',
      body: 'b',
      url: 'https://t.example/1',
      publishedAt: '2026-11-25T16:00:00Z',
    };
    await http().post('/entries').send(entry).expect(201);
    expect((await http().post('/entries').send(entry).expect(409)).body).toMatchObject({
      code: 'ENTRY_URL_TAKEN',
    });
    expect(
      (
        await http()
          .post('/entries')
          .send([{ ...entry, url: null }, entry])
          .expect(409)
      ).body,
    ).toMatchObject({ code: 'ENTRY_URL_TAKEN' });
    const unknownSource = await http()
      .post('/entries')
      .send({ ...entry, url: null, sourceId: 999999 })
      .expect(400);
    expect(unknownSource.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      fields: { sourceId: [expect.any(String)] },
    });

    await http().put(`/subscribers/${sub.id}/subscriptions/${source.id}`).expect(200);
    const run = await http()
      .post('/jobs/daily-digest/run')
      .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
      .send({ date: '2026-11-25' })
      .expect(200);
    expect(run.body.details.entries).toBe(1);
    const kept = await http().delete(`/sources/${source.id}`).expect(409);
    expect(kept.body).toMatchObject({ code: 'SOURCE_IN_DIGESTS' });
  });

  it('codes admin calls without the token', async () => {
    const res = await http().post('/jobs/daily-digest/run').send({}).expect(401);
    expect(res.body).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
  });
});
