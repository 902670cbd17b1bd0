import pg, { type Pool } from 'pg';

const TIMESTAMPTZ_OID = 1184;
const parseTimestamptzGeneral = pg.types.getTypeParser(TIMESTAMPTZ_OID) as (text: string) => Date;

const ZERO = 48;
const digit = (text: string, i: number): number => text.charCodeAt(i) - ZERO;
const two = (text: string, i: number): number => digit(text, i) * 10 + digit(text, i + 1);

/** `YYYY-MM-DD HH:MM:SS[.ffffff]+00`, as every session of this app (TimeZone=UTC) prints timestamptz. */
const UTC_TIMESTAMP = /^[1-9]\d{3}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?\+00$/;

/**
 * A timestamptz in PostgreSQL's text form as a Date, exactly as pg's own parser reads it (digits past
 * the millisecond truncated), in a fraction of its time: the common UTC form is read by one regular
 * expression, anything else (BC, years before 1000 or after 9999, other offsets) by pg's parser.
 */
export function parseTimestamptz(text: string): Date {
  if (!UTC_TIMESTAMP.test(text)) return parseTimestamptzGeneral(text);
  // Fixed positions from here on; the fraction (if any) starts at 20 and ends before "+00".
  const fractionDigits = text.length - 3 - 20;
  let ms = 0;
  for (let i = 0; i < 3; i++) ms = ms * 10 + (i < fractionDigits ? digit(text, 20 + i) : 0);
  const year = two(text, 0) * 100 + two(text, 2);
  return new Date(
    Date.UTC(year, two(text, 5) - 1, two(text, 8), two(text, 11), two(text, 14), two(text, 17), ms),
  );
}

/** Type parsers that hand every value back as PostgreSQL printed it, for rows converted by the caller. */
export const RAW_TEXT_TYPES = { getTypeParser: () => (text: string) => text };

/** A row with every value as PostgreSQL printed it (null for SQL NULL), in select-list order. */
export type TextRow = (string | null)[];

/**
 * Runs one named prepared statement straight on the pool TypeORM owns (same connections, same limits)
 * and returns its rows as text: parsed and planned once per connection, none of TypeORM's per-query
 * work (query building, hydration), no per-field parser dispatch. The PostgreSQL repositories' hot reads.
 */
export async function queryText(
  pool: Pool,
  statement: { name: string; text: string; values: unknown[] },
): Promise<TextRow[]> {
  const result = await pool.query<TextRow>({ ...statement, rowMode: 'array', types: RAW_TEXT_TYPES });
  return result.rows;
}

export const parseBoolean = (text: string | null): boolean => text === 't';
