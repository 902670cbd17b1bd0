import request from 'supertest';
import { DataSource } from 'typeorm';
import { DailyDigestJob } from '../../src/scheduling/daily-digest.job';
import { DigestScheduler } from '../../src/scheduling/digest-scheduler';
import { ADMIN_TOKEN, bootApp, createStore, DIALECTS, type TestApp, type TestStore } from './app-harness';

interface RunRow {
  id: number;
  scheduledFor: string;
  status: string;
  error: string | null;
  details: { trigger: string; digestDate: string; attempts: number; digests?: number; entries?: number };
}
interface DigestRow {
  id: number;
  digestDate: string;
  entryCount: number;
}

/** Entries around the edges of the Chicago days of both 2026 DST changes, by the day they belong to. */
const EDGE_ENTRIES: { at: string; day: string }[] = [
  { at: '2026-03-07T05:59:59.999Z', day: '2026-03-06' }, // Mar 6 23:59:59.999 CST
  { at: '2026-03-07T06:00:00.000Z', day: '2026-03-07' }, // Mar 7 00:00 CST
  { at: '2026-03-08T05:59:59.999Z', day: '2026-03-07' },
  { at: '2026-03-08T06:00:00.000Z', day: '2026-03-08' }, // Mar 8 00:00 CST: the 23-hour day starts
  { at: '2026-03-08T08:30:00.000Z', day: '2026-03-08' }, // 03:30 CDT, just after the gap
  { at: '2026-03-09T04:59:59.999Z', day: '2026-03-08' }, // Mar 8 23:59:59.999 CDT
  { at: '2026-03-09T05:00:00.000Z', day: '2026-03-09' }, // Mar 9 00:00 CDT
  { at: '2026-10-31T04:59:59.999Z', day: '2026-10-30' },
  { at: '2026-10-31T05:00:00.000Z', day: '2026-10-31' },
  { at: '2026-11-01T04:59:59.999Z', day: '2026-10-31' }, // Oct 31 23:59:59.999 CDT
  { at: '2026-11-01T05:00:00.000Z', day: '2026-11-01' }, // Nov 1 00:00 CDT: the 25-hour day starts
  { at: '2026-11-01T06:30:00.000Z', day: '2026-11-01' }, // 01:30 CDT
  { at: '2026-11-01T07:30:00.000Z', day: '2026-11-01' }, // 01:30 CST, the repeated hour
  { at: '2026-11-02T05:59:59.999Z', day: '2026-11-01' }, // Nov 1 23:59:59.999 CST
  { at: '2026-11-02T06:00:00.000Z', day: '2026-11-02' },
];

describe.each(DIALECTS)('daily digest job on %s', (dialect) => {
  let store: TestStore;
  let t: TestApp;
  let job: DailyDigestJob;
  let subscriberId: number;
  let quietSubscriberId: number;
  const http = () => request(t.app.getHttpServer());

  async function runs(): Promise<RunRow[]> {
    return (await http().get('/jobs/runs').query({ job: 'daily-digest', limit: 500 }).expect(200))
      .body as RunRow[];
  }

  async function digestTitles(day: string, who = subscriberId): Promise<string[]> {
    const list = (await http().get(`/subscribers/${who}/digests`).query({ from: day, to: day }).expect(200))
      .body as DigestRow[];
    expect(list).toHaveLength(1);
    const digest = await http().get(`/digests/${list[0].id}`).expect(200);
    expect(digest.body.entryCount).toBe(digest.body.entries.length);
    return (digest.body.entries as { title: string; position: number }[]).map((e, i) => {
      expect(e.position).toBe(i + 1);
      return e.title;
    });
  }

  beforeAll(async () => {
    store = await createStore(dialect, 'daily_digest');
    t = await bootApp(store.url);
    job = t.app.get(DailyDigestJob);
    const source = (await http().post('/sources').send({ name: 'Feed', url: 'https://f.example' })).body;
    const unsubscribed = (await http().post('/sources').send({ name: 'Not mine', url: 'https://n.example' }))
      .body;
    const paused = (await http().post('/sources').send({ name: 'Paused', url: 'https://p.example' })).body;
    const sub = (await http().post('/subscribers').send({ email: 'a@example.com', name: 'A' })).body;
    const quiet = (await http().post('/subscribers').send({ email: 'q@example.com', name: 'Q' })).body;
    await http()
      .post('/subscribers')
      .send({ email: 'off@example.com', name: 'Off', isActive: false })
      .expect(201);
    subscriberId = sub.id;
    quietSubscriberId = quiet.id;
    await http().put(`/subscribers/${sub.id}/subscriptions/${source.id}`).expect(200);
    await http().put(`/subscribers/${sub.id}/subscriptions/${paused.id}`).expect(200);
    await http().patch(`/sources/${paused.id}`).send({ isActive: false }).expect(200);
    const payload = EDGE_ENTRIES.flatMap((e, i) => [
      { sourceId: source.id, title: `${e.day} #${i}`, body: 'b', publishedAt: e.at },
      { sourceId: unsubscribed.id, title: `other #${i}`, body: 'b', publishedAt: e.at },
      { sourceId: paused.id, title: `paused #${i}`, body: 'b', publishedAt: e.at },
    ]);
    // Inserted out of time order, so digest order must come from publishedAt.
    await http().post('/entries').send(payload.reverse()).expect(201);
  });
  afterAll(async () => {
    await t?.close();
    await store?.drop();
  });

  const expectedTitles = (day: string): string[] =>
    EDGE_ENTRIES.flatMap((e, i) => (e.day === day ? [`${day} #${i}`] : []));

  it.each([
    ['spring forward', ['2026-03-07', '2026-03-08', '2026-03-09'], ['14:00', '13:00', '13:00']],
    ['fall back', ['2026-10-31', '2026-11-01', '2026-11-02'], ['13:00', '14:00', '14:00']],
  ])('runs three consecutive 08:00 slots once each across %s', async (_name, days, utcTimes) => {
    for (const [i, day] of days.entries()) {
      const slot = `${day}T${utcTimes[i]}:00.000Z`;
      t.clock.set(slot);
      const first = await job.onTick();
      expect(first?.status).toBe('succeeded');
      expect(first?.scheduledFor.toISOString()).toBe(slot);
      // A second tick for the same slot (another replica, or a timer firing twice) does nothing.
      t.clock.set(new Date(new Date(slot).getTime() + 1000));
      expect(await job.onTick()).toBeNull();
    }
    const all = await runs();
    for (const [i, day] of days.entries()) {
      const forSlot = all.filter((r) => r.scheduledFor.startsWith(`${day}T08:00:00.000-0`));
      expect(forSlot).toHaveLength(1);
      expect(forSlot[0].status).toBe('succeeded');
      const previousDay = new Date(Date.parse(`${day}T00:00:00Z`) - 86400000).toISOString().slice(0, 10);
      expect(forSlot[0].details.digestDate).toBe(previousDay);
      expect(forSlot[0].scheduledFor).toBe(
        `${day}T08:00:00.000${utcTimes[i] === '14:00' ? '-06:00' : '-05:00'}`,
      );
      expect(await digestTitles(previousDay)).toEqual(expectedTitles(previousDay));
      expect(await digestTitles(previousDay, quietSubscriberId)).toEqual([]);
    }
  });

  it('keeps the 23- and 25-hour days whole', async () => {
    for (const day of ['2026-03-08', '2026-11-01']) {
      const res = await http()
        .post('/jobs/daily-digest/run')
        .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
        .send({ date: day })
        .expect(200);
      expect(res.body.status).toBe('succeeded');
      expect(await digestTitles(day)).toEqual(expectedTitles(day));
    }
    expect(expectedTitles('2026-03-08')).toHaveLength(3);
    expect(expectedTitles('2026-11-01')).toHaveLength(4);
  });

  it('reruns a date idempotently: same digests, no duplicates', async () => {
    const run = () =>
      http()
        .post('/jobs/daily-digest/run')
        .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
        .send({ date: '2026-11-01' })
        .expect(200);
    const before = (await http().get(`/subscribers/${subscriberId}/digests`).expect(200)).body as DigestRow[];
    const first = await run();
    const second = await run();
    expect(first.body.details).toMatchObject({
      trigger: 'manual',
      digestDate: '2026-11-01',
      digests: 2,
      entries: 4,
    });
    expect(second.body.details).toMatchObject({ digests: 2, entries: 4 });
    const after = (await http().get(`/subscribers/${subscriberId}/digests`).expect(200)).body as DigestRow[];
    expect(after.map((d) => [d.id, d.digestDate])).toEqual(before.map((d) => [d.id, d.digestDate]));
    const ds = t.app.get(DataSource);
    const [{ n }] = await ds.query<{ n: string | number }[]>(
      `SELECT count(*) AS n FROM digests WHERE digest_date = '2026-11-01'`,
    );
    expect(Number(n)).toBe(2);
    expect(await digestTitles('2026-11-01')).toEqual(expectedTitles('2026-11-01'));
  });

  it('records a failed run with its error, keeps serving, and retries it at the next start-up', async () => {
    const ds = t.app.get(DataSource);
    const slot = '2026-11-20T14:00:00.000Z';
    t.clock.set(slot);
    await ds.query('ALTER TABLE digest_entries RENAME TO digest_entries_away');
    try {
      const failed = await job.onTick();
      expect(failed?.status).toBe('failed');
      expect(failed?.error).toMatch(/digest_entries/);
    } finally {
      await ds.query('ALTER TABLE digest_entries_away RENAME TO digest_entries');
    }
    await http().get('/health/live').expect(200);
    const recorded = (await runs()).find((r) => r.scheduledFor === '2026-11-20T08:00:00.000-06:00');
    expect(recorded).toMatchObject({ status: 'failed', details: { trigger: 'schedule', attempts: 1 } });

    // A start-up some minutes later catches the failed slot up, in the same job_runs row.
    t.clock.set('2026-11-20T14:20:00.000Z');
    const retried = await job.catchUp();
    expect(retried).toMatchObject({ id: recorded!.id, status: 'succeeded', error: null });
    expect(retried?.details).toMatchObject({ trigger: 'catch-up', attempts: 2, digestDate: '2026-11-19' });
    expect(await job.catchUp()).toBeNull();
  });

  it('catches up only the latest slot at start-up, not older ones', async () => {
    // Nothing ran for Nov 21..24; at start-up on Nov 25 07:00 Chicago the latest slot is Nov 24 08:00.
    const second = await bootApp(store.url, { now: '2026-11-25T13:00:00.000Z', scheduler: true });
    try {
      await second.app.get(DigestScheduler).idle();
    } finally {
      await second.close();
    }
    const slots = (await runs()).map((r) => r.scheduledFor);
    expect(slots).toContain('2026-11-24T08:00:00.000-06:00');
    for (const missed of ['2026-11-21', '2026-11-22', '2026-11-23']) {
      expect(slots).not.toContain(`${missed}T08:00:00.000-06:00`);
    }
  });

  it('runs a slot once when three instances tick together', async () => {
    const others = [await bootApp(store.url), await bootApp(store.url)];
    try {
      const slot = '2026-11-26T14:00:00.000Z';
      const all = [t, ...others];
      for (const a of all) a.clock.set(slot);
      const results = await Promise.all(all.map((a) => a.app.get(DailyDigestJob).onTick()));
      expect(results.filter((r) => r !== null)).toHaveLength(1);
      expect(results.find((r) => r !== null)?.status).toBe('succeeded');
      const forSlot = (await runs()).filter((r) => r.scheduledFor === '2026-11-26T08:00:00.000-06:00');
      expect(forSlot).toHaveLength(1);
    } finally {
      for (const o of others) await o.close();
    }
  });

  // SQLite has no advisory locks (its single writer serialises runs): skipped there, and the report says so.
  (dialect === 'postgres' ? it : it.skip)(
    'refuses a manual run while another run holds the lock',
    async () => {
      const ds = t.app.get(DataSource);
      const runner = ds.createQueryRunner();
      await runner.connect();
      await runner.query('SELECT pg_advisory_lock(4711002)');
      try {
        const res = await http()
          .post('/jobs/daily-digest/run')
          .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
          .send({ date: '2026-11-01' })
          .expect(409);
        expect(res.body.message).toMatch(/in progress/);
        expect((await runs())[0]).toMatchObject({ status: 'skipped' });
      } finally {
        await runner.query('SELECT pg_advisory_unlock(4711002)');
        await runner.release();
      }
    },
  );
});
