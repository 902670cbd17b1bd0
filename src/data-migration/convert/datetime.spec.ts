import { formatInstant, instantMicros, toInstant } from './datetime';

describe('formatInstant', () => {
  it('formats across day boundaries, before 1970 and with microseconds', () => {
    const cases: [number, number, string][] = [
      [0, 0, '1970-01-01 00:00:00'],
      [86399999, 999, '1970-01-01 23:59:59.999999'],
      [86400000, 0, '1970-01-02 00:00:00'],
      [-1, 0, '1969-12-31 23:59:59.999'],
      [-62135596800000, 1, '0001-01-01 00:00:00.000001'],
      [253402300799999, 0, '9999-12-31 23:59:59.999'],
      [1700000000123, 456, '2023-11-14 22:13:20.123456'],
      [1700000000123, 456, '2023-11-14 22:13:20.123456'],
    ];
    for (const [ms, us, text] of cases) {
      expect(formatInstant({ ms, us })).toBe(text);
      expect(instantMicros(text)).toBe((BigInt(ms) * 1000n + BigInt(us)).toString());
    }
  });

  it('reads years below 100 as written', () => {
    expect(formatInstant(toInstant('0099-03-01 12:00:00', undefined))).toBe('0099-03-01 12:00:00');
  });
});
