import {
  addDays,
  formatInstant,
  isLocalDate,
  latestSlotAtOrBefore,
  localDateOf,
  localDayBounds,
  nextSlotAfter,
  offsetMinutes,
  parseInstant,
  zonedInstant,
} from './zoned-time';

const CHICAGO = 'America/Chicago';

describe('formatInstant', () => {
  it('writes the winter offset of Chicago', () => {
    expect(formatInstant(new Date('2026-11-25T14:00:00Z'), CHICAGO)).toBe('2026-11-25T08:00:00.000-06:00');
  });
  it('writes the summer offset of Chicago', () => {
    expect(formatInstant(new Date('2026-07-04T17:30:05.123Z'), CHICAGO)).toBe(
      '2026-07-04T12:30:05.123-05:00',
    );
  });
  it('writes half-hour offsets and UTC', () => {
    expect(formatInstant(new Date('2026-01-01T00:00:00Z'), 'Asia/Kolkata')).toBe(
      '2026-01-01T05:30:00.000+05:30',
    );
    expect(formatInstant(new Date('2026-01-01T00:00:00Z'), 'UTC')).toBe('2026-01-01T00:00:00.000+00:00');
  });
  it('keeps the local date across midnight UTC', () => {
    expect(formatInstant(new Date('2026-11-26T03:00:00Z'), CHICAGO)).toBe('2026-11-25T21:00:00.000-06:00');
  });
  it('writes both sides of the fall-back hour with their own offsets', () => {
    expect(formatInstant(new Date('2026-11-01T06:30:00Z'), CHICAGO)).toBe('2026-11-01T01:30:00.000-05:00');
    expect(formatInstant(new Date('2026-11-01T07:30:00Z'), CHICAGO)).toBe('2026-11-01T01:30:00.000-06:00');
  });
  it('writes the wall clock as toISOString of the instant shifted by the offset', () => {
    const wrong: string[] = [];
    for (const zone of [CHICAGO, 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham', 'UTC']) {
      for (let t = Date.UTC(1900, 0, 1); t < Date.UTC(9999, 0, 1); t += 401 * 86_400_000 + 3_599_999) {
        const instant = new Date(t);
        const offset = offsetMinutes(instant, zone);
        const wall = new Date(t + offset * 60000).toISOString().slice(0, 23);
        const text = formatInstant(instant, zone);
        if (!text.startsWith(wall) || parseInstant(text)?.getTime() !== t) wrong.push(`${zone} ${text}`);
      }
    }
    expect(wrong).toEqual([]);
  });
  it('writes instants outside years 1900 to 9998 in UTC', () => {
    expect(formatInstant(new Date('1899-12-31T23:59:59.999Z'), CHICAGO)).toBe('1899-12-31T23:59:59.999Z');
    expect(formatInstant(new Date('1900-01-01T00:00:00.000Z'), CHICAGO)).toBe(
      '1899-12-31T18:00:00.000-06:00',
    );
    expect(formatInstant(new Date('9999-01-01T00:00:00.000Z'), CHICAGO)).toBe('9999-01-01T00:00:00.000Z');
    expect(() => formatInstant(new Date(NaN), CHICAGO)).toThrow(RangeError);
  });
  it('round-trips through parseInstant', () => {
    const instant = new Date('2026-03-08T08:15:00.250Z');
    expect(parseInstant(formatInstant(instant, CHICAGO))?.toISOString()).toBe(instant.toISOString());
  });
});

describe('offsetMinutes', () => {
  it('is -360 in Chicago winter and -300 in summer', () => {
    expect(offsetMinutes(new Date('2026-01-15T12:00:00Z'), CHICAGO)).toBe(-360);
    expect(offsetMinutes(new Date('2026-06-15T12:00:00Z'), CHICAGO)).toBe(-300);
  });
});

describe('local days', () => {
  it('finds the local date of an instant', () => {
    expect(localDateOf(new Date('2026-11-26T05:59:59.999Z'), CHICAGO)).toBe('2026-11-25');
    expect(localDateOf(new Date('2026-11-26T06:00:00Z'), CHICAGO)).toBe('2026-11-26');
  });
  it('adds days across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
  it('validates YYYY-MM-DD', () => {
    expect(isLocalDate('2026-02-28')).toBe(true);
    expect(isLocalDate('2026-02-29')).toBe(false);
    expect(isLocalDate('2026-2-28')).toBe(false);
    expect(isLocalDate("2026-01-01' OR 1=1")).toBe(false);
  });
  it('makes an ordinary day 24 hours long', () => {
    const { start, end } = localDayBounds('2026-11-25', CHICAGO);
    expect(start.toISOString()).toBe('2026-11-25T06:00:00.000Z');
    expect(end.toISOString()).toBe('2026-11-26T06:00:00.000Z');
  });
  it('makes the spring-forward day 23 hours long', () => {
    const { start, end } = localDayBounds('2026-03-08', CHICAGO);
    expect(start.toISOString()).toBe('2026-03-08T06:00:00.000Z');
    expect(end.toISOString()).toBe('2026-03-09T05:00:00.000Z');
    expect((end.getTime() - start.getTime()) / 3600000).toBe(23);
  });
  it('makes the fall-back day 25 hours long', () => {
    const { start, end } = localDayBounds('2026-11-01', CHICAGO);
    expect(start.toISOString()).toBe('2026-11-01T05:00:00.000Z');
    expect(end.toISOString()).toBe('2026-11-02T06:00:00.000Z');
    expect((end.getTime() - start.getTime()) / 3600000).toBe(25);
  });
});

describe('zonedInstant', () => {
  it('puts 08:00 Chicago at 14:00 UTC in winter and 13:00 UTC in summer', () => {
    expect(zonedInstant('2026-03-07', 8, 0, CHICAGO).toISOString()).toBe('2026-03-07T14:00:00.000Z');
    expect(zonedInstant('2026-03-08', 8, 0, CHICAGO).toISOString()).toBe('2026-03-08T13:00:00.000Z');
    expect(zonedInstant('2026-10-31', 8, 0, CHICAGO).toISOString()).toBe('2026-10-31T13:00:00.000Z');
    expect(zonedInstant('2026-11-01', 8, 0, CHICAGO).toISOString()).toBe('2026-11-01T14:00:00.000Z');
  });
  it('resolves a wall time in the spring-forward gap to just after it', () => {
    expect(zonedInstant('2026-03-08', 2, 30, CHICAGO).toISOString()).toBe('2026-03-08T08:30:00.000Z');
  });
  it('resolves a repeated wall time to its first occurrence', () => {
    expect(zonedInstant('2026-11-01', 1, 30, CHICAGO).toISOString()).toBe('2026-11-01T06:30:00.000Z');
  });
});

describe('daily slots', () => {
  it('finds the latest 08:00 slot', () => {
    expect(latestSlotAtOrBefore(new Date('2026-11-26T13:59:50Z'), 8, CHICAGO).toISOString()).toBe(
      '2026-11-25T14:00:00.000Z',
    );
    expect(latestSlotAtOrBefore(new Date('2026-11-26T14:00:00Z'), 8, CHICAGO).toISOString()).toBe(
      '2026-11-26T14:00:00.000Z',
    );
  });
  it('finds the next 08:00 slot across both DST changes', () => {
    const threeSlotsAfter = (start: string): string[] => {
      const slots: string[] = [];
      let now = new Date(start);
      for (let i = 0; i < 3; i++) {
        now = nextSlotAfter(now, 8, CHICAGO);
        slots.push(now.toISOString());
      }
      return slots;
    };
    expect(threeSlotsAfter('2026-03-06T15:00:00Z')).toEqual([
      '2026-03-07T14:00:00.000Z',
      '2026-03-08T13:00:00.000Z',
      '2026-03-09T13:00:00.000Z',
    ]);
    expect(threeSlotsAfter('2026-10-31T00:00:00Z')).toEqual([
      '2026-10-31T13:00:00.000Z',
      '2026-11-01T14:00:00.000Z',
      '2026-11-02T14:00:00.000Z',
    ]);
  });
});

describe('parseInstant', () => {
  it.each([
    ['2026-11-25T10:00:00Z', '2026-11-25T10:00:00.000Z'],
    ['2026-11-25T10:00:00.5Z', '2026-11-25T10:00:00.500Z'],
    ['2026-11-25T10:00:00.123456Z', '2026-11-25T10:00:00.123Z'],
    ['2026-11-25T04:00:00-06:00', '2026-11-25T10:00:00.000Z'],
    ['2026-11-25T15:30:00+0530', '2026-11-25T10:00:00.000Z'],
    ['2026-11-25T12:00+02', '2026-11-25T10:00:00.000Z'],
    ['2026-11-25 10:00:00z', '2026-11-25T10:00:00.000Z'],
    ['0050-06-01T00:00:00Z', '0050-06-01T00:00:00.000Z'],
  ])('reads %s', (input, expected) => {
    expect(parseInstant(input)?.toISOString()).toBe(expected);
  });
  it.each([
    '2026-11-25',
    '2026-11-25T10:00:00',
    'yesterday',
    '2026-02-30T10:00:00Z',
    '2026-11-25T24:00:00Z',
    '',
  ])('refuses %s', (input) => {
    expect(parseInstant(input)).toBeNull();
  });
});

describe('formatInstant at the edges of offset changes', () => {
  it('switches offset exactly at the transition instants', () => {
    expect(formatInstant(new Date('2026-03-08T07:59:59.999Z'), CHICAGO)).toBe(
      '2026-03-08T01:59:59.999-06:00',
    );
    expect(formatInstant(new Date('2026-03-08T08:00:00.000Z'), CHICAGO)).toBe(
      '2026-03-08T03:00:00.000-05:00',
    );
    expect(formatInstant(new Date('2026-11-01T06:59:59.999Z'), CHICAGO)).toBe(
      '2026-11-01T01:59:59.999-05:00',
    );
    expect(formatInstant(new Date('2026-11-01T07:00:00.000Z'), CHICAGO)).toBe(
      '2026-11-01T01:00:00.000-06:00',
    );
  });
  it('falls back to UTC before 1900, in the era of local mean time', () => {
    expect(formatInstant(new Date('1850-01-01T12:00:00Z'), CHICAGO)).toBe('1850-01-01T12:00:00.000Z');
    expect(formatInstant(new Date('0000-01-01T00:00:00Z'), CHICAGO)).toBe('0000-01-01T00:00:00.000Z');
  });
  it('handles instants before 1970', () => {
    expect(formatInstant(new Date('1969-12-31T23:59:59.500Z'), 'UTC')).toBe('1969-12-31T23:59:59.500+00:00');
    expect(formatInstant(new Date('1969-12-31T23:59:59.500Z'), CHICAGO)).toBe(
      '1969-12-31T17:59:59.500-06:00',
    );
  });
});
