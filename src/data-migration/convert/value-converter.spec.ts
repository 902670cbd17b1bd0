import { mapDeclaredType, parsePgType } from '../schema/target-type';
import type { SqliteValue } from '../model/plan';
import { BadValueError } from './sqlite-value';
import { makeConverter, SuspectUtf8Error } from './value-converter';

function convert(
  declared: string,
  value: SqliteValue,
  options: { notNull?: boolean; zone?: string } = {},
): string | null {
  const type =
    /\s|\(|^(integer|timestamp)$/.test(declared) && !/^[A-Z]/.test(declared)
      ? parsePgType(declared)
      : mapDeclaredType(declared);
  return makeConverter(type, { notNull: options.notNull ?? false, sourceZone: options.zone }).convert(value);
}

function badReason(declared: string, value: SqliteValue): string {
  try {
    convert(declared, value);
  } catch (error) {
    if (error instanceof BadValueError) return error.reason;
    throw error;
  }
  throw new Error(`${String(value)} converted without error`);
}

describe('value conversion: date/times', () => {
  it.each<[SqliteValue, string]>([
    ['2024-01-02 03:04:05', '2024-01-02 03:04:05+00'],
    ['2024-01-02T03:04:05', '2024-01-02 03:04:05+00'],
    ['2024-01-02 03:04', '2024-01-02 03:04:00+00'],
    ['2024-01-02 03:04:05.5', '2024-01-02 03:04:05.5+00'],
    ['2024-01-02 03:04:05.123456', '2024-01-02 03:04:05.123456+00'],
    ['2024-01-02T03:04:05Z', '2024-01-02 03:04:05+00'],
    ['2024-01-02T03:04:05+02:00', '2024-01-02 01:04:05+00'],
    ['2024-01-02T03:04:05-0530', '2024-01-02 08:34:05+00'],
    ['2024-01-02', '2024-01-02 00:00:00+00'],
    [1700000000n, '2023-11-14 22:13:20+00'],
    [1700000000123n, '2023-11-14 22:13:20.123+00'],
    [-86400n, '1969-12-31 00:00:00+00'],
    [1700000000.25, '2023-11-14 22:13:20.25+00'],
    [2460000.5, '2023-02-25 00:00:00+00'],
    [2440587.5, '1970-01-01 00:00:00+00'],
    ['1700000000', '2023-11-14 22:13:20+00'],
  ])('DATETIME %p → %s', (value, expected) => {
    expect(convert('DATETIME', value)).toBe(expected);
  });

  it('reads naive values in --source-timezone, offsets as written', () => {
    expect(convert('DATETIME', '2024-07-01 12:00:00', { zone: 'America/Chicago' })).toBe(
      '2024-07-01 17:00:00+00',
    );
    expect(convert('DATETIME', '2024-01-01 12:00:00', { zone: 'America/Chicago' })).toBe(
      '2024-01-01 18:00:00+00',
    );
    expect(convert('DATETIME', '2024-01-01T12:00:00Z', { zone: 'America/Chicago' })).toBe(
      '2024-01-01 12:00:00+00',
    );
  });

  it('keeps the wall clock for timestamp without time zone', () => {
    expect(convert('timestamp without time zone', '2024-07-01 12:00:00', { zone: 'America/Chicago' })).toBe(
      '2024-07-01 12:00:00',
    );
  });

  it.each<[SqliteValue, RegExp]>([
    ['yesterday', /not a recognised date/],
    ['2024-13-01', /out of range/],
    ['2023-02-29', /out of range/],
    ['2024-01-01 24:00:00', /out of range/],
    ['2024-01-01 10:00:00.1234567', /microseconds/],
    [1e15, /too large/],
    [10n ** 15n, /too large/],
    [Buffer.from('x'), /blob/],
  ])('DATETIME %p is bad (%s)', (value, reason) => {
    expect(badReason('DATETIME', value)).toMatch(reason);
  });

  it('dates and times', () => {
    expect(convert('DATE', '2024-02-29')).toBe('2024-02-29');
    expect(convert('DATE', '2024-02-29 00:00:00')).toBe('2024-02-29');
    expect(badReason('DATE', '2024-02-29 10:00:00')).toMatch(/time of day/);
    expect(convert('DATE', 86400n)).toBe('1970-01-02');
    expect(convert('TIME', '23:59:59.999')).toBe('23:59:59.999');
    expect(convert('TIME', '08:30')).toBe('08:30:00');
    expect(badReason('TIME', '25:00')).toMatch(/out of range/);
  });
});

describe('value conversion: numbers, booleans, text', () => {
  it('integers accept integer text and whole reals, refuse fractions and text', () => {
    expect(convert('INTEGER', 10n)).toBe('10');
    expect(convert('INTEGER', '10')).toBe('10');
    expect(convert('INTEGER', ' -7 ')).toBe('-7');
    expect(convert('INTEGER', 3.0)).toBe('3');
    expect(convert('INTEGER', -9223372036854775808n)).toBe('-9223372036854775808');
    expect(badReason('INTEGER', 1.5)).toMatch(/fraction/);
    expect(badReason('INTEGER', '1.5')).toMatch(/fraction/);
    expect(badReason('INTEGER', 'abc')).toMatch(/text in an integer column/);
    expect(badReason('SMALLINT', 40000n)).toMatch(/out of range/);
    expect(badReason('integer', 2n ** 31n)).toMatch(/out of range/);
  });

  it.each<[SqliteValue, string]>([
    [1n, 't'],
    [0n, 'f'],
    ['t', 't'],
    ['F', 'f'],
    ['true', 't'],
    ['FALSE', 'f'],
    ['yes', 't'],
    ['no', 'f'],
    [1.0, 't'],
  ])('BOOLEAN %p → %s', (value, expected) => {
    expect(convert('BOOLEAN', value)).toBe(expected);
  });

  it('bad booleans', () => {
    expect(badReason('BOOLEAN', 2n)).toMatch(/not a boolean/);
    expect(badReason('BOOLEAN', 'maybe')).toMatch(/not a boolean/);
  });

  it('numeric keeps every digit and refuses what does not fit', () => {
    expect(convert('NUMERIC', 0.1)).toBe('0.1');
    expect(convert('NUMERIC', 1e-7)).toBe('0.0000001');
    expect(convert('NUMERIC', 1e21)).toBe('1000000000000000000000');
    expect(convert('NUMERIC', 123456789012345678901234567890n)).toBe('123456789012345678901234567890');
    expect(convert('DECIMAL(5,2)', 123.45)).toBe('123.45');
    expect(convert('DECIMAL(5,2)', '-999.990')).toBe('-999.99');
    expect(convert('DECIMAL(5,2)', 0.5)).toBe('0.50');
    expect(badReason('DECIMAL(5,2)', 1234.5)).toMatch(/precision/);
    expect(badReason('DECIMAL(5,2)', 1.005)).toMatch(/decimal places/);
    expect(badReason('NUMERIC', 'ten')).toMatch(/not a number/);
    expect(badReason('DECIMAL(5,2)', Infinity)).toMatch(/does not fit/);
  });

  it('doubles round-trip exactly, including -0 and large integers', () => {
    expect(convert('REAL', 0.1)).toBe('0.1');
    expect(convert('REAL', -0)).toBe('-0');
    expect(convert('REAL', 1e300)).toBe('1e+300');
    expect(convert('REAL', 5n)).toBe('5');
    expect(convert('REAL', '2.5e3')).toBe('2500');
    expect(badReason('REAL', 2n ** 60n + 1n)).toMatch(/exactly/);
    expect(badReason('REAL', 'abc')).toMatch(/floating-point/);
  });

  it('text: NUL, suspect UTF-8, length in characters', () => {
    expect(convert('TEXT', 'héllo')).toBe('héllo');
    expect(convert('TEXT', 42n)).toBe('42');
    expect(convert('TEXT', 1.0)).toBe('1.0');
    expect(convert('VARCHAR(3)', '😀😀😀')).toBe('😀😀😀');
    expect(badReason('VARCHAR(3)', 'abcd')).toMatch(/longer than varchar\(3\)/);
    expect(badReason('TEXT', 'a\u0000b')).toMatch(/NUL/);
    expect(badReason('TEXT', Buffer.from('x'))).toMatch(/blob/);
    expect(() => convert('TEXT', 'bad \uFFFD')).toThrow(SuspectUtf8Error);
    const checked = makeConverter(mapDeclaredType('TEXT'), { notNull: false }).convert('ok \uFFFD', true);
    expect(checked).toBe('ok \uFFFD');
  });

  it('NOT NULL columns refuse NULL', () => {
    expect(convert('TEXT', null)).toBeNull();
    expect(() => convert('TEXT', null, { notNull: true })).toThrow(/NULL in a NOT NULL/);
  });

  it('bytea, uuid and JSON', () => {
    expect(convert('BLOB', Buffer.from([0, 255]))).toBe('\\x00ff');
    expect(convert('BLOB', 'ab')).toBe('\\x6162');
    expect(badReason('BLOB', 5n)).toMatch(/number/);
    expect(convert('UUID', '{123E4567-E89B-12D3-A456-426614174000}')).toBe(
      '123e4567-e89b-12d3-a456-426614174000',
    );
    expect(convert('UUID', Buffer.alloc(16, 1))).toBe('01010101-0101-0101-0101-010101010101');
    expect(badReason('UUID', 'nope')).toMatch(/not a UUID/);
    expect(convert('JSON', '{"a": [1, 2]}')).toBe('{"a": [1, 2]}');
    expect(convert('JSON', 5n)).toBe('5');
    expect(badReason('JSON', '{"a": 1,')).toMatch(/invalid JSON/);
    expect(badReason('JSON', '"\\u0000"')).toMatch(/u0000/);
    expect(badReason('JSON', '"\\ud800"')).toMatch(/surrogate/);
    expect(badReason('JSON', '[1e5000]')).toMatch(/exponent/);
  });
});

describe('output spelled as PostgreSQL prints the stored value', () => {
  const convert = (declared: string, value: SqliteValue): string | null =>
    makeConverter(mapDeclaredType(declared), { notNull: false }).convert(value);
  it('per type', () => {
    expect(convert('DATETIME', '1970-01-01 00:00:01.000200')).toBe('1970-01-01 00:00:01.0002+00');
    expect(convert('TIME', '00:00:01.5')).toBe('00:00:01.5');
    expect(convert('REAL', 1e-7)).toBe('1e-07');
    expect(convert('REAL', 1e21)).toBe('1e+21');
    expect(convert('FLOAT4', 0.1)).toBe('0.1');
    expect(convert('NUMERIC(6,2)', 5)).toBe('5.00');
    expect(convert('NUMERIC(6,2)', '1.500')).toBe('1.50');
    expect(convert('NUMERIC', '1.500')).toBe('1.5');
    expect(convert('CHAR(3)', 'a')).toBe('a  ');
    expect(convert('JSON', '{"b":1,"a":2,"b":3}')).toBe('{"a": 2, "b": 3}');
  });
});

describe('trusted conversion (first pass of the load)', () => {
  const json = makeConverter(mapDeclaredType('JSON'), { notNull: false });
  const trustedReason = (value: SqliteValue): string | undefined => {
    try {
      json.convertTrusted(value);
      return undefined;
    } catch (error) {
      return error instanceof BadValueError ? error.reason : String(error);
    }
  };

  it('leaves plain JSON syntax to PostgreSQL and the text as found', () => {
    expect(json.defersChecks).toBe(true);
    expect(json.convertTrusted('{"a": 1,')).toBe('{"a": 1,');
    expect(json.convertTrusted('{"b":[1,2],"a":1}')).toBe('{"b":[1,2],"a":1}');
    expect(json.convert('{"b":[1,2],"a":1}')).toBe('{"a": 1, "b": [1, 2]}');
  });

  it('still judges what JSON.parse and jsonb disagree on, as the careful pass does', () => {
    expect(trustedReason('"\\u0000"')).toMatch(/u0000/);
    expect(trustedReason('"\\ud800"')).toMatch(/surrogate/);
    expect(trustedReason('[1e5000]')).toMatch(/exponent/);
  });

  it('keeps every other check', () => {
    const notNull = makeConverter(mapDeclaredType('JSON'), { notNull: true });
    expect(() => notNull.convertTrusted(null)).toThrow(BadValueError);
    expect(() => json.convertTrusted('a\u0000b')).toThrow(/NUL/);
    expect(() => json.convertTrusted('bad \uFFFD')).toThrow(SuspectUtf8Error);
    const int = makeConverter(mapDeclaredType('INTEGER'), { notNull: false });
    expect(int.defersChecks).toBe(false);
    expect(() => int.convertTrusted('1.5')).toThrow(BadValueError);
  });
});
