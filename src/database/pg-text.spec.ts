import pg from 'pg';
import { parseTimestamptz } from './pg-text';

const general = pg.types.getTypeParser(1184) as (text: string) => Date;

describe('parseTimestamptz', () => {
  it.each([
    '2026-10-11 05:23:10+00',
    '2026-10-11 05:23:10.1+00',
    '2026-10-11 05:23:10.123+00',
    '2026-10-01 12:00:00.123999+00',
    '1965-03-01 00:00:00.0005+00',
    '1965-03-01 00:00:00.999999+00',
    '1899-12-31 23:59:59.9+00',
    '9999-06-01 00:00:00+00',
    '1000-01-01 00:00:00+00',
    '0099-01-01 00:00:00+00',
    '0500-01-01 00:00:00.5+00',
    '10000-01-01 00:00:00+00',
    '2026-10-11 05:23:10.123+05:30',
    '0044-03-15 12:00:00+00 BC',
  ])('reads %s as pg does', (text) => {
    const expected = general(text);
    const got = parseTimestamptz(text);
    expect(Number.isNaN(got.getTime()) ? 'NaN' : got.getTime()).toEqual(
      Number.isNaN(expected.getTime()) ? 'NaN' : expected.getTime(),
    );
  });
});
