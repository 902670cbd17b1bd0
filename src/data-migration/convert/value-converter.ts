import type { TargetType } from '../model/target-type';
import {
  dateDays,
  fastTimestampText,
  formatInstant,
  instantMicros,
  toDateText,
  toInstant,
  toTimeText,
} from './datetime';
import { jsonbCanonical } from './json-canonical';
import { pgDoubleText, pgRealText } from './float-text';
import { numberToDecimalText, numericText, padScale, parseDecimal } from './numeric-text';
import type { SqliteValue, ColumnConverter } from '../model/plan';
import { BadValueError } from './sqlite-value';

/** A string value whose decoding replaced bytes with U+FFFD: its raw bytes must be checked. */
export class SuspectUtf8Error extends Error {}

export interface ConverterOptions {
  notNull: boolean;
  /** IANA zone naive source date/times are in; UTC when absent. */
  sourceZone?: string;
}

const INT_RANGES: Record<string, [bigint, bigint]> = {
  smallint: [-32768n, 32767n],
  integer: [-2147483648n, 2147483647n],
  bigint: [-9223372036854775808n, 9223372036854775807n],
};
const BOOLEAN_TEXT: Record<string, string> = {
  '1': 't',
  '0': 'f',
  t: 't',
  f: 'f',
  true: 't',
  false: 'f',
  yes: 't',
  no: 'f',
  y: 't',
  n: 'f',
  on: 't',
  off: 'f',
};
const FLOAT_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const UUID_TEXT = /^\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/i;

// Kinds whose target text is built from digits, signs, dates and fixed words only.
const PLAIN_KINDS = new Set<TargetType['kind']>([
  'smallint',
  'integer',
  'bigint',
  'boolean',
  'double',
  'real',
  'numeric',
  'timestamptz',
  'timestamp',
  'date',
  'time',
  'uuid',
]);
const asText = (col: string): string => `${col}::text`;

export function makeConverter(type: TargetType, options: ConverterOptions): ColumnConverter {
  const inner = baseConverter(type, options);
  const { notNull } = options;
  const trusted = (v: Exclude<SqliteValue, null>): string =>
    inner.convertTrusted ? inner.convertTrusted(v) : inner.convert(v);
  /** The checks every value passes before conversion: false for an allowed NULL. */
  const admit = (value: SqliteValue, utf8Checked: boolean): value is Exclude<SqliteValue, null> => {
    if (value === null) {
      if (notNull) throw new BadValueError(`NULL in a NOT NULL ${type.sql} column`);
      return false;
    }
    if (typeof value === 'string' && type.kind !== 'bytea') checkText(value, utf8Checked);
    return true;
  };
  return {
    convert: (value, utf8Checked = false) => (admit(value, utf8Checked) ? inner.convert(value) : null),
    convertTrusted: (value) => (admit(value, false) ? trusted(value) : null),
    plain: PLAIN_KINDS.has(type.kind),
    defersChecks: 'convertTrusted' in inner,
    rangeKey: (converted) => (inner.rangeKey ? inner.rangeKey(converted) : converted),
    pgRangeKey: (value) => (inner.pgRangeKey ? inner.pgRangeKey(value) : asText(value)),
  };
}

interface Base {
  convert(value: Exclude<SqliteValue, null>): string;
  convertTrusted?(value: Exclude<SqliteValue, null>): string;
  rangeKey?(converted: string): string;
  pgRangeKey?(value: string): string;
}

function checkText(value: string, utf8Checked: boolean): void {
  if (value.includes('\u0000')) throw new BadValueError('NUL byte in text (PostgreSQL text cannot hold it)');
  if (!utf8Checked && value.includes('\uFFFD')) throw new SuspectUtf8Error();
}

// The converter of each target kind: the cast rules as a table, one factory per kind.
const CONVERTERS: Record<TargetType['kind'], (type: TargetType, options: ConverterOptions) => Base> = {
  smallint: integerConverter,
  integer: integerConverter,
  bigint: integerConverter,
  boolean: booleanConverter,
  double: floatConverter,
  real: floatConverter,
  numeric: numericConverter,
  text: textConverter,
  varchar: textConverter,
  char: textConverter,
  other: textConverter,
  bytea: byteaConverter,
  timestamptz: timestampConverter,
  timestamp: timestampConverter,
  date: dateConverter,
  time: timeConverter,
  jsonb: jsonConverter,
  json: jsonConverter,
  uuid: uuidConverter,
};

function baseConverter(type: TargetType, options: ConverterOptions): Base {
  return CONVERTERS[type.kind](type, options);
}

function integerConverter(type: TargetType): Base {
  const [min, max] = INT_RANGES[type.kind] ?? [0n, 0n];
  return {
    convert(v) {
      const n = toBigInt(v);
      if (n < min || n > max) throw new BadValueError(`${n} is out of range for ${type.sql}`);
      return n.toString();
    },
  };
}

function booleanConverter(_type: TargetType): Base {
  return {
    convert(v) {
      if (Buffer.isBuffer(v)) throw new BadValueError('a blob is not a boolean');
      const t = BOOLEAN_TEXT[String(v).trim().toLowerCase()];
      if (t === undefined) throw new BadValueError('not a boolean (0/1, t/f, true/false, yes/no)');
      return t;
    },
  };
}

function floatConverter(type: TargetType): Base {
  const single = type.kind === 'real';
  return {
    convert(v) {
      const n = toFloat(v);
      return single ? pgRealText(Math.fround(n)) : pgDoubleText(n);
    },
  };
}

function numericConverter(type: TargetType): Base {
  return {
    convert(v) {
      if (Buffer.isBuffer(v)) throw new BadValueError('a blob is not a number');
      if (typeof v === 'number' && !Number.isFinite(v)) {
        if (type.precision !== undefined) throw new BadValueError(`${v} does not fit ${type.sql}`);
        return String(v);
      }
      if (typeof v === 'number' && type.precision !== undefined) {
        const fast = fastNumeric(v, type.precision, type.scale ?? 0);
        if (fast !== undefined) return padScale(fast, type.scale ?? 0);
      }
      const text =
        typeof v === 'bigint' ? v.toString() : typeof v === 'number' ? numberToDecimalText(v) : v.trim();
      const parts = parseDecimal(text);
      if (type.precision !== undefined) {
        const scale = type.scale ?? 0;
        const frac = parts.frac.replace(/0+$/, '');
        if (frac.length > scale) {
          throw new BadValueError(`${text} has more than ${scale} decimal places for ${type.sql}`);
        }
        if (parts.int.length > type.precision - scale) {
          throw new BadValueError(`${text} exceeds the precision of ${type.sql}`);
        }
      }
      const out = numericText(text, false);
      return type.precision === undefined ? out : padScale(out, type.scale ?? 0);
    },
  };
}

function textConverter(type: TargetType): Base {
  const limit = type.length;
  const isChar = type.kind === 'char';
  return {
    convert(v) {
      if (Buffer.isBuffer(v)) throw new BadValueError(`a blob in a ${type.sql} column`);
      const s = typeof v === 'string' ? v : typeof v === 'bigint' ? v.toString() : realText(v);
      if (limit !== undefined && s.length > limit && codePoints(s) > limit) {
        throw new BadValueError(`${codePoints(s)} characters is longer than ${type.sql}`);
      }
      // character(n) keeps and prints its value padded with spaces to n.
      return isChar && limit !== undefined ? s + ' '.repeat(Math.max(0, limit - codePoints(s))) : s;
    },
  };
}

function byteaConverter(): Base {
  return {
    convert(v) {
      if (Buffer.isBuffer(v)) return '\\x' + v.toString('hex');
      if (typeof v === 'string') return '\\x' + Buffer.from(v, 'utf8').toString('hex');
      throw new BadValueError('a number in a bytea (blob) column');
    },
  };
}

function timestampConverter(type: TargetType, options: ConverterOptions): Base {
  const naive = type.kind === 'timestamp';
  return {
    convert(v) {
      if (Buffer.isBuffer(v)) throw new BadValueError('a blob is not a date/time');
      if (typeof v === 'string') {
        const fast = fastTimestampText(v, options.sourceZone, naive);
        if (fast !== undefined) return fast;
      }
      return formatInstant(toInstant(v, options.sourceZone, naive)) + (naive ? '' : '+00');
    },
    rangeKey: instantMicros,
    pgRangeKey: (value) => `(EXTRACT(EPOCH FROM ${value}) * 1000000)::bigint::text`,
  };
}

function dateConverter(_type: TargetType): Base {
  return {
    convert(v) {
      if (Buffer.isBuffer(v)) throw new BadValueError('a blob is not a date');
      return toDateText(v);
    },
    rangeKey: dateDays,
    pgRangeKey: (value) => `(${value} - DATE '1970-01-01')::text`,
  };
}

function timeConverter(_type: TargetType): Base {
  return {
    convert(v) {
      if (Buffer.isBuffer(v)) throw new BadValueError('a blob is not a time of day');
      return toTimeText(v);
    },
  };
}

function jsonConverter(type: TargetType): Base {
  const binary = type.kind === 'jsonb';
  const jsonText = (v: Exclude<SqliteValue, null>): string => {
    if (Buffer.isBuffer(v)) throw new BadValueError('a blob is not JSON');
    return typeof v === 'string' ? v : typeof v === 'bigint' ? v.toString() : toJsonNumber(v);
  };
  return {
    // jsonb is written as jsonb prints it (which also checks it); json keeps its text as written.
    convert(v) {
      const s = jsonText(v);
      if (binary) return jsonbCanonical(s);
      validateJson(s);
      return s;
    },
    // The text as found: only the plain syntax check is left to PostgreSQL. Escapes and huge
    // exponents, where JSON.parse and jsonb part ways, are judged here on both passes alike.
    convertTrusted(v) {
      const s = jsonText(v);
      if (JSON_SLOW_PATH.test(s)) jsonbCanonical(s);
      return s;
    },
  };
}

function uuidConverter(): Base {
  return {
    convert(v) {
      const hex =
        Buffer.isBuffer(v) && v.length === 16 ? v.toString('hex') : typeof v === 'string' ? v.trim() : '';
      const m = UUID_TEXT.exec(hex);
      if (!m) throw new BadValueError('not a UUID');
      return m.slice(1, 6).join('-').toLowerCase();
    },
  };
}

function toBigInt(v: Exclude<SqliteValue, null>): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new BadValueError(`${v} has a fraction (integer column)`);
    if (!Number.isSafeInteger(v)) throw new BadValueError(`${v} is not an exact integer`);
    return BigInt(v);
  }
  if (Buffer.isBuffer(v)) throw new BadValueError('a blob in an integer column');
  const t = v.trim();
  if (/^[+-]?\d+$/.test(t)) return BigInt(t);
  if (/^[+-]?\d+\.0*$/.test(t)) return BigInt(t.replace(/\.0*$/, ''));
  if (/^[+-]?\d*\.\d+$/.test(t)) throw new BadValueError('text with a fraction in an integer column');
  throw new BadValueError('text in an integer column');
}

function toFloat(v: Exclude<SqliteValue, null>): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') {
    const n = Number(v);
    if (BigInt(n) !== v) throw new BadValueError(`${v} cannot be held exactly by a double precision column`);
    return n;
  }
  if (Buffer.isBuffer(v)) throw new BadValueError('a blob is not a number');
  const t = v.trim();
  if (FLOAT_TEXT.test(t)) return Number(t);
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  throw new BadValueError('text in a floating-point column');
}

function toJsonNumber(v: number): string {
  if (!Number.isFinite(v)) throw new BadValueError(`${v} is not valid JSON`);
  return String(v);
}

/** REAL as text the way SQLite spells integral values (`1.0`), otherwise shortest round-trip. */
function realText(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return v.toFixed(1);
  return String(v);
}

export function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--;
  }
  return n;
}

const POWERS_OF_TEN = Array.from({ length: 16 }, (_v, i) => 10 ** i);

/**
 * Plain decimal text of a REAL for numeric(p,s) without the general parser. A value that is the
 * nearest double to some decimal with `scale` digits is printed from that decimal's integer (cheaper
 * than the shortest digits); otherwise JS prints numbers below 1e21 without exponent in their
 * shortest form, which is what numeric prints.
 */
function fastNumeric(v: number, precision: number, scale: number): string | undefined {
  if (!Number.isFinite(v)) return undefined;
  const unit = POWERS_OF_TEN[scale];
  const limit = POWERS_OF_TEN[precision];
  if (unit !== undefined && limit !== undefined) {
    const scaled = Math.round(v * unit);
    if (scaled / unit === v && Math.abs(scaled) < limit) return scaledText(scaled, scale, unit);
  }
  const s = Object.is(v, -0) ? '0' : String(v);
  if (s.includes('e')) return undefined;
  const dot = s.indexOf('.');
  const negative = s.startsWith('-');
  const intDigits = (dot < 0 ? s.length : dot) - (negative ? 1 : 0);
  const fracDigits = dot < 0 ? 0 : s.length - dot - 1;
  const significantInt = s.startsWith(negative ? '-0' : '0') ? 0 : intDigits;
  if (fracDigits > scale || significantInt > precision - scale) return undefined;
  return s;
}

/** An integer count of 10^-scale units as decimal text with exactly `scale` fraction digits. */
function scaledText(scaled: number, scale: number, unit: number): string {
  const a = Math.abs(scaled);
  const whole = Math.floor(a / unit);
  const sign = scaled < 0 ? '-' : '';
  if (scale === 0) return sign + String(whole);
  return sign + String(whole) + '.' + String(a - whole * unit).padStart(scale, '0');
}

const JSON_SLOW_PATH = /\\u|[eE][+-]?\d{4}/;

/**
 * JSON.parse accepts what jsonb refuses only around \u escapes (\u0000, lone surrogates) and huge
 * exponents; text with neither is checked natively, the rest by the jsonb-faithful parser.
 */
function validateJson(s: string): void {
  if (JSON_SLOW_PATH.test(s)) {
    jsonbCanonical(s);
    return;
  }
  try {
    JSON.parse(s);
  } catch {
    jsonbCanonical(s); // throws BadValueError with a position
  }
}
