import pg from 'pg';

/** Runs `fn` with a connection to `url`, closed afterwards. */
export async function withTarget<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The rows of one query on `url`. */
export function queryTarget<R extends pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  return withTarget(url, async (c) => (await c.query<R>(sql, params)).rows);
}
