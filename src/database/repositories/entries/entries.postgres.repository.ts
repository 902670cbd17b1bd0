import type { Pool, QueryResultRow } from 'pg';
import { Entry } from '../../entities';
import { entryPageSelect } from './entry-page-sql';
import { ENTRY_ROW_COLUMNS, entryFromValues } from './entry-row';
import { EntriesRepository, type EntryPageFilter, type Statement } from './entries.repository';

/**
 * entries on PostgreSQL. The hot paths go straight to the pool TypeORM owns (same connections, same
 * limits) as named prepared statements: parsed and planned once per connection, and none of TypeORM's
 * per-query runner work, which costs more than the query itself here.
 */
export class PostgresEntriesRepository extends EntriesRepository {
  private get poolOrFail(): Pool {
    const pool = this.db.pool();
    if (!pool) throw new Error('PostgresEntriesRepository used without a PostgreSQL pool');
    return pool;
  }

  private async run<T extends QueryResultRow>(statement: Statement): Promise<T[]> {
    const result = await this.poolOrFail.query<T>(statement);
    return result.rows;
  }

  async insertOne(e: Entry): Promise<number> {
    const rows = await this.run<{ id: string }>({
      name: 'entries_insert_one',
      text:
        'INSERT INTO entries (source_id, title, body, url, published_at, score, tags, created_at) ' +
        'VALUES ($1, $2, $3, $4, $5::timestamptz, $6, $7::jsonb, $8::timestamptz) RETURNING id',
      values: [
        e.sourceId,
        e.title,
        e.body,
        e.url,
        e.publishedAt.toISOString(),
        e.score,
        JSON.stringify(e.tags),
        e.createdAt.toISOString(),
      ],
    });
    return Number(rows[0]?.id);
  }

  async page(filter: EntryPageFilter, limit: number): Promise<Entry[]> {
    const rows = await this.run<{ page: unknown[][] }>(this.pageStatement(filter, limit));
    return (rows[0]?.page ?? []).map(entryFromValues);
  }

  /**
   * The page comes back as one JSON value (an array of rows, each an array in ENTRY_ROW_COLUMNS order,
   * instants as epoch milliseconds): the server builds it, and Node decodes one column of one row with
   * JSON.parse instead of 9 columns of 51 rows through pg's per-field parsers, which cost more than the
   * rest of the request. floor() truncates sub-millisecond digits as pg's timestamptz parser does.
   */
  pageStatement(filter: EntryPageFilter, limit: number): Statement {
    const values: unknown[] = [];
    const { select, shape } = entryPageSelect(filter, limit, {
      param: (value, cast) => {
        values.push(value);
        return `$${values.length}::${cast}`;
      },
      instant: (value) => value.toISOString(),
    });
    const epochMs = (column: string) => `floor(extract(epoch FROM ${column}) * 1000)`;
    const row = ENTRY_ROW_COLUMNS.map((c) => (c === 'published_at' || c === 'created_at' ? epochMs(c) : c));
    const text =
      `SELECT coalesce(json_agg(json_build_array(${row.join(', ')}) ORDER BY published_at, id), '[]') AS page ` +
      `FROM (${select}) AS p`;
    return { name: `entries_page_${shape}`, text, values };
  }
}
