import { readInstant, sqliteInstant } from './db-values';

describe('SQLite instant text', () => {
  it('is fixed-width UTC with milliseconds', () => {
    expect(sqliteInstant(new Date('2026-03-08T07:05:09.007Z'))).toBe('2026-03-08 07:05:09.007');
  });
  it('reads back as the same instant', () => {
    const instant = new Date('2026-11-25T23:59:59.999Z');
    expect(readInstant(sqliteInstant(instant))?.toISOString()).toBe(instant.toISOString());
  });
  it('sorts as text in time order', () => {
    const a = sqliteInstant(new Date('2026-11-25T09:00:00Z'));
    const b = sqliteInstant(new Date('2026-11-25T10:00:00Z'));
    expect(a < b).toBe(true);
  });
  it('passes Dates through and reads offsets', () => {
    const d = new Date('2026-01-01T00:00:00Z');
    expect(readInstant(d)).toBe(d);
    expect(readInstant('2026-01-01T00:00:00-06:00')?.toISOString()).toBe('2026-01-01T06:00:00.000Z');
    expect(readInstant(null)).toBeNull();
  });
});
