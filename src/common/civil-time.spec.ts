import { civilFromDays, DAY_MS, daysFromCivil, formatWallClock } from './civil-time';

describe('civil-time', () => {
  it('converts day numbers both ways as Date does', () => {
    const wrong: number[] = [];
    for (let days = daysFromCivil(1000, 1, 1); days <= daysFromCivil(9999, 12, 31); days += 37) {
      const date = new Date(days * DAY_MS);
      const civil = civilFromDays(days);
      const expected = {
        year: date.getUTCFullYear(),
        month: date.getUTCMonth() + 1,
        day: date.getUTCDate(),
      };
      if (JSON.stringify(civil) !== JSON.stringify(expected)) wrong.push(days);
      if (daysFromCivil(civil.year, civil.month, civil.day) !== days) wrong.push(days);
    }
    expect(wrong).toEqual([]);
  });

  it('writes wall-clock times as toISOString does, without the Z', () => {
    const wrong: string[] = [];
    const check = (ms: number) => {
      const expected = new Date(ms).toISOString().slice(0, 23);
      if (formatWallClock(ms) !== expected) wrong.push(expected);
    };
    for (let ms = Date.UTC(1000, 0, 1); ms < Date.UTC(9999, 11, 31); ms += 31 * DAY_MS + 3_723_457) check(ms);
    for (const ms of [
      0,
      -1,
      1,
      DAY_MS - 1,
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
    ])
      check(ms);
    // The same day twice in a row, then another day: the cached date part must follow.
    check(Date.UTC(2026, 10, 25, 8));
    check(Date.UTC(2026, 10, 25, 9));
    check(Date.UTC(2026, 10, 26, 9));
    expect(wrong).toEqual([]);
  });
});
