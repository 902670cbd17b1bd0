import request from 'supertest';
import pg from 'pg';
import { ensureStateTables, finishRun, startRun } from '../../src/data-migration/target/run-state';
import { bootApp, createStore, DIALECTS, type TestApp, type TestStore } from './app-harness';

describe.each(DIALECTS)('GET /health details on %s', (dialect) => {
  let store: TestStore;
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    store = await createStore(dialect, 'health_details');
    t = await bootApp(store.url, { now: '2026-11-26T13:59:50.000Z' });
  });
  afterAll(async () => {
    await t?.close();
    await store?.drop();
  });

  it('shows the database, the scheduler and no data migration yet', async () => {
    const res = await http().get('/health').expect(200);
    const { database, schema, scheduler, dataMigration } = res.body.details;
    expect(database).toMatchObject({
      status: 'up',
      dialect: dialect === 'postgres' ? 'postgres' : 'better-sqlite3',
    });
    if (dialect === 'postgres') {
      expect(database.pool).toEqual({
        total: expect.any(Number),
        idle: expect.any(Number),
        waiting: 0,
        max: 20,
      });
    } else {
      expect(database.pool).toBeNull();
    }
    expect(schema.status).toBe('up');
    expect(scheduler).toMatchObject({ status: 'up', enabled: false, lastRun: null, nextRun: null });
    expect(dataMigration).toEqual({ status: 'up', lastRun: null });
  });

  // SQLite has one connection and no pool: skipped there, and the report says so.
  const onPostgres = dialect === 'postgres' ? it : it.skip;

  onPostgres('has the pool warmed up to DB_POOL_MIN (default DB_POOL_MAX) soon after start-up', async () => {
    let total = 0;
    for (let waited = 0; waited < 5000 && total < 20; waited += 50) {
      total = (await http().get('/health').expect(200)).body.details.database.pool.total as number;
      if (total < 20) await new Promise((r) => setTimeout(r, 50));
    }
    expect(total).toBe(20);
  });

  it('shows the last digest run', async () => {
    await http()
      .post('/jobs/daily-digest/run')
      .set('Authorization', 'Bearer test-admin-token-0123456789')
      .send({})
      .expect(200);
    const res = await http().get('/health').expect(200);
    expect(res.body.details.scheduler.lastRun).toMatchObject({
      status: 'succeeded',
      scheduledFor: '2026-11-26T07:59:50.000-06:00',
      finishedAt: '2026-11-26T07:59:50.000-06:00',
    });
  });

  // The migrate tool writes data_migration_runs only into a PostgreSQL target: skipped on SQLite.
  onPostgres('shows the newest data migration run once the migrate tool has written one', async () => {
    // The tool's own table and writes, with the times then set to fixed instants.
    const client = new pg.Client({ connectionString: store.url });
    await client.connect();
    try {
      await ensureStateTables(client);
      const runs = [
        {
          status: 'failed',
          verified: false,
          written: 10,
          rejected: 1,
          at: ['2026-11-20 15:00:00', '2026-11-20 15:01:00'],
        },
        {
          status: 'succeeded',
          verified: true,
          written: 1234567,
          rejected: 0,
          at: ['2026-11-21 15:00:00', '2026-11-21 15:02:30.5'],
        },
      ];
      for (const r of runs) {
        const id = await startRun(client, '/data/app.sqlite', 'abc', undefined);
        await finishRun(client, id, { ...r, tables: 7, report: {} });
        await client.query(
          `UPDATE data_migration_runs SET started_at = $2::timestamp AT TIME ZONE 'UTC', finished_at = $3::timestamp AT TIME ZONE 'UTC' WHERE id = $1`,
          [id, ...r.at],
        );
      }
    } finally {
      await client.end();
    }
    const res = await http().get('/health').expect(200);
    expect(res.body.details.dataMigration.lastRun).toMatchObject({
      startedAt: '2026-11-21T09:00:00.000-06:00',
      finishedAt: '2026-11-21T09:02:30.500-06:00',
      source: '/data/app.sqlite',
      status: 'succeeded',
      verified: true,
      tablesCount: 7,
      rowsWritten: 1234567,
      rowsRejected: 0,
    });
  });
});
