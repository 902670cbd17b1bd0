import { ENTRY_ROW_COLUMNS } from './entry-row';
import type { EntryPageFilter } from './entries.repository';

export interface PageSqlDialect {
  /** Adds a parameter and returns its placeholder; `cast` is the PostgreSQL type it is compared as. */
  param(value: unknown, cast: string): string;
  /** An instant as the dialect compares it against stored instants. */
  instant(value: Date): unknown;
}

/**
 * The page's SELECT, one row more than asked for to know whether there is a next page. Written by hand:
 * only which filters are present changes the text, so each shape is one prepared statement, named by
 * `shape`. Every shape is an index range scan on (published_at, id) or (source_id, published_at, id).
 */
export function entryPageSelect(
  filter: EntryPageFilter,
  limit: number,
  sql: PageSqlDialect,
): { select: string; shape: string } {
  const where: string[] = [];
  const shape: string[] = [];
  const instant = (value: Date): string => sql.param(sql.instant(value), 'timestamptz');
  if (filter.sourceId !== undefined) {
    where.push(`source_id = ${sql.param(filter.sourceId, 'integer')}`);
    shape.push('s');
  }
  if (filter.from) {
    where.push(`published_at >= ${instant(filter.from)}`);
    shape.push('f');
  }
  if (filter.to) {
    where.push(`published_at < ${instant(filter.to)}`);
    shape.push('t');
  }
  if (filter.after) {
    const { publishedAt, id } = filter.after;
    where.push(`(published_at, id) > (${instant(publishedAt)}, ${sql.param(id, 'bigint')})`);
    shape.push('c');
  }
  const select =
    `SELECT ${ENTRY_ROW_COLUMNS.join(', ')} FROM entries` +
    (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY published_at, id LIMIT ${sql.param(limit + 1, 'integer')}`;
  return { select, shape: shape.join('') || 'all' };
}
