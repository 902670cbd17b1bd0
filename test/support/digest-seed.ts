import pg from 'pg';
import { localDayBounds } from '../../src/common/zoned-time';

export interface DigestSeed {
  sources: number;
  subscribers: number;
  /** Sources each subscriber follows. */
  subscriptionsEach: number;
  /** Entries per source published on each of the days. */
  entriesPerSource: number;
}

/**
 * Fills an app database (schema already migrated) with enough subscribers and entries that building one
 * day's digests takes seconds, in a few set-based statements so seeding itself stays fast.
 */
export async function seedDigestWorkload(
  url: string,
  days: string[],
  seed: DigestSeed,
  timeZone = 'America/Chicago',
): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO sources (name, url)
       SELECT 'seed source ' || s, 'https://seed' || s || '.example' FROM generate_series(1, $1) s`,
      [seed.sources],
    );
    await client.query(
      `INSERT INTO subscribers (email, name)
       SELECT 'seed' || s || '@example.com', 'Seed ' || s FROM generate_series(1, $1) s`,
      [seed.subscribers],
    );
    await client.query(
      `INSERT INTO subscriptions (subscriber_id, source_id)
       SELECT sub.id, src.id
       FROM subscribers sub
       CROSS JOIN LATERAL (
         SELECT id FROM sources ORDER BY (id + sub.id) % $1, id LIMIT $2
       ) src`,
      [seed.sources, seed.subscriptionsEach],
    );
    for (const day of days) {
      await client.query(
        `INSERT INTO entries (source_id, title, body, published_at)
         SELECT src.id, 'seed ' || src.id || '/' || n, 'body', $1::timestamptz + n * interval '10 seconds'
         FROM sources src CROSS JOIN generate_series(1, $2) n`,
        [localDayBounds(day, timeZone).start.toISOString(), seed.entriesPerSource],
      );
    }
    await client.query('COMMIT');
    await client.query('ANALYZE');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

/** Sized so one day's build takes a few seconds on two cores: long enough to stop a process during it. */
export const digestSeed: DigestSeed = {
  sources: 20,
  subscribers: 300,
  subscriptionsEach: 4,
  entriesPerSource: 10,
};
