import { DataSource } from 'typeorm';
import { LockId, tryWithAdvisoryLock, withAdvisoryLock } from '../../src/database/advisory-lock';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('advisory locks', () => {
  let db: TestDatabase;
  let a: DataSource;
  let b: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('locks');
    a = await new DataSource({ type: 'postgres', url: db.url }).initialize();
    b = await new DataSource({ type: 'postgres', url: db.url }).initialize();
  });
  afterAll(async () => {
    await a?.destroy();
    await b?.destroy();
    await db?.drop();
  });

  it('serialises holders across connections pools (as across replicas)', async () => {
    const spans: [number, number][] = [];
    const hold = async () => {
      const start = Date.now();
      await sleep(150);
      spans.push([start, Date.now()]);
    };
    await Promise.all([
      withAdvisoryLock(a, LockId.SchemaMigrations, hold),
      withAdvisoryLock(b, LockId.SchemaMigrations, hold),
      withAdvisoryLock(a, LockId.SchemaMigrations, hold),
    ]);
    spans.sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
  });

  it('lets only one of several try-lockers run and releases afterwards', async () => {
    let ran = 0;
    // The holder keeps the lock until the three others have tried and been refused, however slowly
    // they arrive (a fixed hold would let a late one in on a busy machine).
    let refused = 0;
    let allTried = (): void => undefined;
    const tried = new Promise<void>((r) => (allTried = r));
    const results = await Promise.all(
      [a, b, a, b].map((ds) =>
        tryWithAdvisoryLock(ds, LockId.DailyDigest, async () => {
          ran++;
          await Promise.race([tried, sleep(10_000)]);
        }).then((r) => {
          if (!r.acquired && ++refused === 3) allTried();
          return r;
        }),
      ),
    );
    expect(results.filter((r) => r.acquired)).toHaveLength(1);
    expect(ran).toBe(1);
    const again = await tryWithAdvisoryLock(b, LockId.DailyDigest, () => Promise.resolve('free'));
    expect(again).toEqual({ acquired: true, value: 'free' });
  });

  it('releases the lock when the work throws', async () => {
    await expect(
      withAdvisoryLock(a, LockId.DataMigration, () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    const after = await tryWithAdvisoryLock(b, LockId.DataMigration, () => Promise.resolve(1));
    expect(after.acquired).toBe(true);
  });
});
