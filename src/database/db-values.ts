const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * The text SQLite stores instants as: UTC `YYYY-MM-DD HH:MM:SS.SSS`, the form TypeORM writes for a Date
 * and reads back as the same instant. Fixed width, so text order is time order and indexes work.
 */
export function sqliteInstant(instant: Date): string {
  return (
    `${pad(instant.getUTCFullYear(), 4)}-${pad(instant.getUTCMonth() + 1)}-${pad(instant.getUTCDate())} ` +
    `${pad(instant.getUTCHours())}:${pad(instant.getUTCMinutes())}:${pad(instant.getUTCSeconds())}.` +
    pad(instant.getUTCMilliseconds(), 3)
  );
}

/** An instant read by a raw query: pg gives a Date, SQLite the stored UTC text. */
export function readInstant(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (typeof value === 'string') {
    const iso = value.includes('T') ? value : value.replace(' ', 'T');
    return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`);
  }
  if (typeof value === 'number') return new Date(value);
  return null;
}

/** pg returns bigint and numeric as strings; the API speaks numbers (ids stay below 2^53). */
export const numericColumn = {
  to: (value: number | null | undefined): number | null | undefined => value,
  from: (value: string | number | null): number | null => (value === null ? null : Number(value)),
};
