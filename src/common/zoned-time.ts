/**
 * Time-zone arithmetic on instants and local calendar days, built on Intl so DST rules come from the
 * runtime's IANA database. Pure functions: no clock, no I/O.
 */
import { formatWallClock } from './civil-time';

/** A local calendar day, `YYYY-MM-DD`. */
export type LocalDate = string;

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function localParts(instant: Date, timeZone: string): LocalParts {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** Offset of `timeZone` from UTC at `instant`, in minutes (America/Chicago in winter: -360). */
export function offsetMinutes(instant: Date, timeZone: string): number {
  // Offsets change only on quarter-hour UTC boundaries, so one Intl call per zone and quarter hour is
  // enough; Intl formatting is the expensive part of writing a page of instants.
  const bucket = Math.floor(instant.getTime() / QUARTER_HOUR_MS);
  let zoneCache = offsetCache.get(timeZone);
  if (!zoneCache) {
    zoneCache = new Map();
    offsetCache.set(timeZone, zoneCache);
  }
  let offset = zoneCache.get(bucket);
  if (offset === undefined) {
    if (zoneCache.size >= OFFSET_CACHE_MAX) zoneCache.clear();
    offset = computeOffsetMinutes(new Date(bucket * QUARTER_HOUR_MS), timeZone);
    zoneCache.set(bucket, offset);
  }
  return offset;
}

const QUARTER_HOUR_MS = 15 * 60 * 1000;
const OFFSET_CACHE_MAX = 50_000;
const offsetCache = new Map<string, Map<number, number>>();

function computeOffsetMinutes(instant: Date, timeZone: string): number {
  const p = localParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - instant.getTime()) / 60000);
}

const pad = (n: number, width = 2): string => String(Math.abs(n)).padStart(width, '0');

const formattedOffsets = new Map<number, string>();

function formatOffset(minutes: number): string {
  let text = formattedOffsets.get(minutes);
  if (text === undefined) {
    const sign = minutes < 0 ? '-' : '+';
    text = `${sign}${pad(Math.trunc(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
    formattedOffsets.set(minutes, text);
  }
  return text;
}

// Years 1900 to 9998, as UTC instants: the range written with the zone's offset.
const ZONED_FROM = Date.UTC(1900, 0, 1);
const ZONED_UNTIL = Date.UTC(9999, 0, 1);

/** ISO 8601 with the zone's offset, e.g. `2026-11-25T08:00:00.000-06:00`. */
export function formatInstant(instant: Date, timeZone: string): string {
  // Before standard time zones (local mean time offsets have seconds) or past year 9999, UTC is the honest form.
  const t = instant.getTime();
  if (!(t >= ZONED_FROM && t < ZONED_UNTIL)) return instant.toISOString();
  const offset = offsetMinutes(instant, timeZone);
  // Written by hand rather than by toISOString on a shifted Date: this runs for every instant of every
  // response and was a tenth of the CPU of a page of entries.
  return formatWallClock(t + offset * 60000) + formatOffset(offset);
}

/** The local calendar day of `instant` in `timeZone`. */
export function localDateOf(instant: Date, timeZone: string): LocalDate {
  const p = localParts(instant, timeZone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar day written `YYYY-MM-DD`. */
export function isLocalDate(value: string): boolean {
  const m = LOCAL_DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  date.setUTCFullYear(y, mo - 1, d); // Date.UTC reads years 0-99 as 1900-1999
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** Calendar arithmetic on a local day (no time zone involved). */
export function addDays(date: LocalDate, days: number): LocalDate {
  const m = LOCAL_DATE.exec(date);
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days));
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/**
 * The instant at which the wall clock of `timeZone` shows `date` `hour:minute`. A wall time skipped by
 * a spring-forward gap resolves to the instant just after the gap; a repeated one to its first occurrence.
 */
export function zonedInstant(date: LocalDate, hour: number, minute: number, timeZone: string): Date {
  const m = LOCAL_DATE.exec(date);
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), hour, minute);
  // Two passes: the offset at the first guess can differ from the offset at the answer near a change.
  const first = wall - offsetMinutes(new Date(wall), timeZone) * 60000;
  const second = wall - offsetMinutes(new Date(first), timeZone) * 60000;
  if (first === second) return new Date(first);
  // Near a transition: prefer a candidate whose wall clock really shows the requested time.
  const candidates = [Math.min(first, second), Math.max(first, second)];
  for (const t of candidates) {
    const p = localParts(new Date(t), timeZone);
    if (p.hour === hour && p.minute === minute) return new Date(t);
  }
  return new Date(Math.max(first, second));
}

/** [start, end) of a local calendar day: 24 hours long, or 23 / 25 on DST change days. */
export function localDayBounds(date: LocalDate, timeZone: string): { start: Date; end: Date } {
  return { start: zonedInstant(date, 0, 0, timeZone), end: zonedInstant(addDays(date, 1), 0, 0, timeZone) };
}

/** The latest daily `hour:00` local slot at or before `now`. */
export function latestSlotAtOrBefore(now: Date, hour: number, timeZone: string): Date {
  const today = localDateOf(now, timeZone);
  const slot = zonedInstant(today, hour, 0, timeZone);
  return slot.getTime() <= now.getTime() ? slot : zonedInstant(addDays(today, -1), hour, 0, timeZone);
}

/** The first daily `hour:00` local slot strictly after `now`. */
export function nextSlotAfter(now: Date, hour: number, timeZone: string): Date {
  const today = localDateOf(now, timeZone);
  const slot = zonedInstant(today, hour, 0, timeZone);
  return slot.getTime() > now.getTime() ? slot : zonedInstant(addDays(today, 1), hour, 0, timeZone);
}

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;

/**
 * Parses an ISO 8601 instant: a date and time with `Z` or an offset (`+05:30`, `+0530`, `+05`).
 * Returns null for anything else, including local times without an offset, which name no instant.
 */
export function parseInstant(value: string): Date | null {
  const m = INSTANT.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  if (!isLocalDate(`${m[1]}-${m[2]}-${m[3]}`) || hour > 23 || minute > 59 || second > 59) return null;
  let offset = 0;
  if (!m[8]) {
    const oh = Number(m[10]);
    const om = m[11] === undefined ? 0 : Number(m[11]);
    if (oh > 23 || om > 59) return null;
    offset = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const wall = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
  wall.setUTCFullYear(year, month - 1, day); // Date.UTC reads years 0-99 as 1900-1999
  const t = wall.getTime() - offset * 60000;
  return Number.isFinite(t) ? new Date(t) : null;
}
