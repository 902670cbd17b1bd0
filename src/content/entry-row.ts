import { readInstant } from '../common/db-values';
import { Entry } from './entities';

/** An entries row as a raw query returns it: pg parses timestamptz and jsonb; SQLite hands back text. */
export interface EntryRow {
  id: number | string;
  source_id: number | string;
  title: string;
  body: string;
  url: string | null;
  published_at: Date | string;
  score: number | string;
  tags: string[] | string;
  created_at: Date | string;
}

export const ENTRY_ROW_COLUMNS = [
  'id',
  'source_id',
  'title',
  'body',
  'url',
  'published_at',
  'score',
  'tags',
  'created_at',
] as const;

/**
 * Row → Entry without TypeORM's generic hydration, which costs more than the query itself on a page
 * of 50 entries.
 */
export function entryFromRow(row: EntryRow): Entry {
  const entry = new Entry();
  entry.id = Number(row.id);
  entry.sourceId = Number(row.source_id);
  entry.title = row.title;
  entry.body = row.body;
  entry.url = row.url;
  entry.publishedAt = readInstant(row.published_at) ?? new Date(NaN);
  entry.score = Number(row.score);
  entry.tags = typeof row.tags === 'string' ? (JSON.parse(row.tags) as string[]) : row.tags;
  entry.createdAt = readInstant(row.created_at) ?? new Date(NaN);
  return entry;
}
