import pg from 'pg';
import { APPLICATION_NAME } from '../../src/database/data-source-options';

/** Sessions the app holds open on `database`, as the server sees them. */
export async function appConnectionCount(admin: pg.Client | pg.Pool, database: string): Promise<number> {
  const { rows } = await admin.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND datname = $2',
    [APPLICATION_NAME, database],
  );
  return rows[0]?.n ?? 0;
}

export interface ConnectionWatch {
  /** Stops polling and returns the highest count seen and how many samples were taken. */
  stop(): Promise<{ max: number; samples: number }>;
}

/** Polls pg_stat_activity every `intervalMs` on a superuser connection of its own. */
export async function watchAppConnections(
  adminUrl: string,
  database: string,
  intervalMs = 25,
): Promise<ConnectionWatch> {
  const client = new pg.Client({ connectionString: adminUrl, application_name: 'pgmove-test-watch' });
  await client.connect();
  let max = 0;
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      max = Math.max(max, await appConnectionCount(client, database));
      samples++;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      await client.end();
      return { max, samples };
    },
  };
}
