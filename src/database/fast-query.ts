import type { Pool, QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';

export interface Statement {
  /** Names a PostgreSQL prepared statement: parsed and planned once per connection, then reused. */
  name: string;
  text: string;
  values: unknown[];
}

/**
 * Runs one read on the hottest paths. On PostgreSQL it goes straight to the pool TypeORM already owns
 * (same connections, same limits) as a named prepared statement, skipping TypeORM's per-query runner
 * work, which costs more than the query itself there. Elsewhere it is DataSource.query.
 */
export async function fastQuery<T extends QueryResultRow>(
  dataSource: DataSource,
  statement: Statement,
): Promise<T[]> {
  if (dataSource.options.type === 'postgres') {
    const pool = (dataSource.driver as unknown as { master: Pool }).master;
    const result = await pool.query<T>({
      name: statement.name,
      text: statement.text,
      values: statement.values,
    });
    return result.rows;
  }
  return dataSource.query<T[]>(statement.text, statement.values);
}
