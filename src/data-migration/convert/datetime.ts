import { DAY_MS, daysFromCivil } from '../../common/civil-time';
import { BadValueError } from './sqlite-value';

/** An instant (or a naive wall-clock time read as UTC) with microsecond precision. */
export interface Instant {
  /** Milliseconds since 1970-01-01T00:00Z. */
  ms: number;
  /** Microseconds within the millisecond, 0–999. */
  us: number;
}

interface Fields {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  /** Fraction of a second as microseconds. */
  micros: number;
  /** Offset east of UTC in minutes, null for a naive value. */
  offset: number | null;
  hasTime: boolean;
}

const DATETIME_TEXT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;
const EPOCH_SECONDS_LIMIT = 1e11; // |n| below this is seconds (up to year 5138), above it milliseconds
const EPOCH_MS_LIMIT = 1e14;
const JULIAN_DAY_LIMIT = 1e7; // REAL values in (0, 1e7) are Julian days (SQLite's julianday())
const JULIAN_UNIX_EPOCH = 2440587.5;
const MIN_MS = -62135596800000; // 0001-01-01T00:00Z
const MAX_MS = 253402300799999; // 9999-12-31T23:59:59.999Z

export function parseDateTimeText(text: string): Fields {
  const m = DATETIME_TEXT.exec(text.trim());
  if (!m) throw new BadValueError('not a recognised date/time');
  const [, y, mo, d, h, mi, s, frac, z, sign, oh, om] = m;
  const fields: Fields = {
    y: Number(y),
    mo: Number(mo),
    d: Number(d),
    h: Number(h ?? 0),
    mi: Number(mi ?? 0),
    s: Number(s ?? 0),
    micros: 0,
    offset: z ? 0 : sign ? (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om ?? 0)) : null,
    hasTime: h !== undefined,
  };
  if (frac) {
    if (frac.length > 6 && /[1-9]/.test(frac.slice(6))) {
      throw new BadValueError('fraction of a second finer than microseconds would be lost');
    }
    fields.micros = Number(frac.slice(0, 6).padEnd(6, '0'));
  }
  if (
    fields.y < 1 ||
    fields.mo < 1 ||
    fields.mo > 12 ||
    fields.d < 1 ||
    fields.d > daysInMonth(fields.y, fields.mo)
  ) {
    throw new BadValueError('date out of range');
  }
  if (fields.h > 23 || fields.mi > 59 || fields.s > 59) throw new BadValueError('time of day out of range');
  if (fields.offset !== null && Math.abs(fields.offset) > 18 * 60)
    throw new BadValueError('UTC offset out of range');
  return fields;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(y: number, mo: number): number {
  return (MONTH_DAYS[mo - 1] ?? 0) + (mo === 2 && isLeap(y) ? 1 : 0);
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function utcMs(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  return date.getTime();
}

/**
 * Reads a SQLite date/time value: ISO-like text (naive text is UTC, or in `zone` when given),
 * Unix epoch integers in seconds or milliseconds, and Julian-day reals.
 * `keepWallClock` keeps naive text as written (for `timestamp without time zone` targets).
 */
export function toInstant(
  value: bigint | number | string,
  zone: string | undefined,
  keepWallClock = false,
): Instant {
  let instant: Instant;
  if (typeof value === 'bigint') {
    instant = fromEpochInteger(value);
  } else if (typeof value === 'number') {
    instant = fromReal(value);
  } else {
    const fast = fastIsoInstant(value, zone, keepWallClock);
    if (fast !== undefined) return fast;
    const trimmed = value.trim();
    if (/^[+-]?\d+$/.test(trimmed)) return toInstant(BigInt(trimmed), zone, keepWallClock);
    if (/^[+-]?(\d+\.\d*|\.\d+)$/.test(trimmed)) return toInstant(Number(trimmed), zone, keepWallClock);
    const f = parseDateTimeText(trimmed);
    const wall = utcMs(f.y, f.mo, f.d, f.h, f.mi, f.s) + Math.floor(f.micros / 1000);
    let ms = wall;
    if (f.offset !== null) ms = wall - f.offset * 60000;
    else if (zone && !keepWallClock) ms = wall - zoneOffsetMinutes(zone, wall) * 60000;
    instant = { ms, us: f.micros % 1000 };
  }
  if (instant.ms < MIN_MS || instant.ms > MAX_MS) throw new BadValueError('date outside years 1–9999');
  return instant;
}

function fromEpochInteger(value: bigint): Instant {
  const abs = value < 0n ? -value : value;
  if (abs < BigInt(EPOCH_SECONDS_LIMIT)) return { ms: Number(value) * 1000, us: 0 };
  if (abs < BigInt(EPOCH_MS_LIMIT)) return { ms: Number(value), us: 0 };
  throw new BadValueError('integer too large for Unix seconds or milliseconds');
}

function fromReal(value: number): Instant {
  if (!Number.isFinite(value)) throw new BadValueError('not a finite number');
  if (value > 0 && value < JULIAN_DAY_LIMIT) {
    // SQLite itself keeps Julian days to the millisecond.
    return { ms: Math.round((value - JULIAN_UNIX_EPOCH) * 86400000), us: 0 };
  }
  const abs = Math.abs(value);
  if (abs < EPOCH_SECONDS_LIMIT) {
    const micros = Math.round(value * 1e6);
    const ms = Math.floor(micros / 1000);
    return { ms, us: micros - ms * 1000 };
  }
  if (abs < EPOCH_MS_LIMIT) {
    const micros = Math.round(value * 1000);
    const ms = Math.floor(micros / 1000);
    return { ms, us: micros - ms * 1000 };
  }
  throw new BadValueError('number too large for a Unix time');
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of `zone` from UTC in minutes at the local wall-clock time `wallMs` (read as UTC). */
export function zoneOffsetMinutes(zone: string, wallMs: number): number {
  let fmt = offsetFormatters.get(zone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    offsetFormatters.set(zone, fmt);
  }
  const offsetAt = (utc: number): number => {
    const parts = Object.fromEntries(fmt.formatToParts(new Date(utc)).map((p) => [p.type, p.value]));
    const year = parts.era === 'BC' ? 1 - Number(parts.year) : Number(parts.year);
    const local = utcMs(
      year,
      Number(parts.month),
      Number(parts.day),
      Number(parts.hour),
      Number(parts.minute),
      Number(parts.second),
    );
    return Math.round((local - (utc - (((utc % 1000) + 1000) % 1000))) / 60000);
  };
  // Two rounds settle the offset except inside a DST gap, where the later offset wins.
  const first = offsetAt(wallMs);
  const second = offsetAt(wallMs - first * 60000);
  return second;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** `YYYY-MM-DD HH:MM:SS.ffffff`, the wall-clock text of an instant in UTC. */
export function formatInstant(i: Instant): string {
  const day = Math.floor(i.ms / DAY_MS);
  // Rows usually come in time order: the date part is reused from the previous value.
  if (day !== lastDay) {
    lastDay = day;
    lastDayText = new Date(day * DAY_MS).toISOString().slice(0, 10);
  }
  const t = i.ms - day * DAY_MS;
  const h = Math.floor(t / 3600000);
  const mi = Math.floor(t / 60000) % 60;
  const s = Math.floor(t / 1000) % 60;
  return `${lastDayText} ${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${fraction((t % 1000) * 1000 + i.us)}`;
}

/** Microseconds of a second as PostgreSQL prints them: `.` and up to six digits, trailing zeros dropped. */
function fraction(micros: number): string {
  if (micros === 0) return '';
  return ('.' + pad(micros, 6)).replace(/0+$/, '');
}

let lastDay = Number.NaN;
let lastDayText = '';

/** Microseconds since the Unix epoch as text: the range bounds verification reports. */
export function instantMicros(text: string): string {
  return String(textMicros(text));
}

/**
 * Microseconds since the Unix epoch of a converted `YYYY-MM-DD HH:MM:SS[.ffffff]` text, read digit by
 * digit; a number while exact in a double (years 1685–2255), else a bigint.
 */
function textMicros(text: string): number | bigint {
  const y = digits(text, 0, 4);
  const mo = digits(text, 5, 2);
  const d = digits(text, 8, 2);
  const h = digits(text, 11, 2);
  const mi = digits(text, 14, 2);
  const s = digits(text, 17, 2);
  let f = 0;
  if (text.charCodeAt(19) === 0x2e) {
    let end = 20;
    while (digit(text, end) >= 0) end++;
    f = digits(text.slice(20, end).padEnd(6, '0'), 0, 6);
  }
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0 || f < 0) {
    throw new Error(`not a converted date/time: ${JSON.stringify(text)}`);
  }
  const seconds = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
  const micros = seconds * 1_000_000 + f;
  return Number.isSafeInteger(micros) ? micros : BigInt(seconds) * 1_000_000n + BigInt(f);
}

/** A date value: `YYYY-MM-DD` text, or a date/time that falls exactly on midnight. */
export function toDateText(value: bigint | number | string): string {
  if (typeof value === 'string') {
    const f = parseDateTimeText(value);
    if (f.hasTime && (f.h !== 0 || f.mi !== 0 || f.s !== 0 || f.micros !== 0)) {
      throw new BadValueError('has a time of day, not a plain date');
    }
    if (f.offset !== null && f.offset !== 0) throw new BadValueError('has a UTC offset, not a plain date');
    return `${pad(f.y, 4)}-${pad(f.mo, 2)}-${pad(f.d, 2)}`;
  }
  const i = toInstant(value, undefined);
  if (i.us !== 0 || ((i.ms % 86400000) + 86400000) % 86400000 !== 0)
    throw new BadValueError('not at midnight UTC, not a plain date');
  return new Date(i.ms).toISOString().slice(0, 10);
}

const TIME_TEXT = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?$/;

export function toTimeText(value: bigint | number | string): string {
  if (typeof value !== 'string') throw new BadValueError('a number is not a time of day');
  const m = TIME_TEXT.exec(value.trim());
  if (!m) throw new BadValueError('not a recognised time of day (HH:MM[:SS[.ffffff]])');
  const [, h, mi, s, frac] = m;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59)
    throw new BadValueError('time of day out of range');
  if (frac && frac.length > 6 && /[1-9]/.test(frac.slice(6))) {
    throw new BadValueError('fraction of a second finer than microseconds would be lost');
  }
  return `${h}:${mi}:${s ?? '00'}${fraction(Number((frac ?? '').slice(0, 6).padEnd(6, '0')))}`;
}

/** Days since 1970-01-01 for a `YYYY-MM-DD` text. */
export function dateDays(text: string): string {
  return String(Math.round(Date.parse(`${text}T00:00:00Z`) / 86400000));
}

/** `YYYY-MM-DD HH:MM:SS` read as UTC, the common case, without the general parser. */
function fastIsoInstant(
  value: string,
  zone: string | undefined,
  keepWallClock: boolean,
): Instant | undefined {
  if (zone && !keepWallClock) return undefined;
  const f = plainDateTimeFields(value);
  return f === undefined ? undefined : { ms: utcMs(f[0], f[1], f[2], f[3], f[4], f[5]), us: 0 };
}

/** Digit at `i` as a number, or -1: the parse below reads characters instead of running a regex. */
function digit(value: string, i: number): number {
  const c = value.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

function digits(value: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const d = digit(value, i);
    if (d < 0) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** The fields of a valid `YYYY-MM-DD HH:MM:SS` (or `T` separator), else undefined. */
function plainDateTimeFields(value: string): [number, number, number, number, number, number] | undefined {
  if (value.length !== 19) return undefined;
  const sep = value.charCodeAt(10);
  if (
    value.charCodeAt(4) !== 45 ||
    value.charCodeAt(7) !== 45 ||
    (sep !== 32 && sep !== 84) ||
    value.charCodeAt(13) !== 58 ||
    value.charCodeAt(16) !== 58
  )
    return undefined;
  const y = digits(value, 0, 4);
  const mo = digits(value, 5, 2);
  const d = digits(value, 8, 2);
  const h = digits(value, 11, 2);
  const mi = digits(value, 14, 2);
  const s = digits(value, 17, 2);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h < 0 || h > 23 || mi < 0 || mi > 59)
    return undefined;
  if (s < 0 || s > 59) return undefined;
  return [y, mo, d, h, mi, s];
}

/** Target text for a plain `YYYY-MM-DD HH:MM:SS` UTC value, or undefined when the general path is needed. */
export function fastTimestampText(
  value: string,
  zone: string | undefined,
  naive: boolean,
): string | undefined {
  if ((zone && !naive) || plainDateTimeFields(value) === undefined) return undefined;
  return `${value.slice(0, 10)} ${value.slice(11)}${naive ? '' : '+00'}`;
}
