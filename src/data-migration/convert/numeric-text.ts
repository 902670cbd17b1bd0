import { BadValueError } from './sqlite-value';

export interface DecimalParts {
  negative: boolean;
  /** Integer digits without leading zeros ('' for zero). */
  int: string;
  /** Fraction digits as written, exponent applied. */
  frac: string;
}

const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
// PostgreSQL's numeric input refuses exponents beyond ±NUMERIC_MAX_PRECISION.
const MAX_EXPONENT = 1000;

export function parseDecimal(text: string): DecimalParts {
  const m = DECIMAL.exec(text.trim());
  if (!m || ((m[2] ?? '') === '' && (m[3] ?? '') === '')) throw new BadValueError('not a number');
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (Math.abs(exp) > MAX_EXPONENT) throw new BadValueError('exponent out of range');
  const intIn = m[2] ?? '';
  const fracIn = m[3] ?? '';
  const digits = intIn + fracIn;
  const point = intIn.length + exp;
  let int: string;
  let frac: string;
  if (point <= 0) {
    int = '';
    frac = '0'.repeat(-point) + digits;
  } else if (point >= digits.length) {
    int = digits + '0'.repeat(point - digits.length);
    frac = '';
  } else {
    int = digits.slice(0, point);
    frac = digits.slice(point);
  }
  int = int.replace(/^0+/, '');
  const zero = !/[1-9]/.test(int + frac);
  return { negative: m[1] === '-' && !zero, int, frac };
}

/** Plain decimal text of a numeric literal: with its display scale (`keepScale`) or trailing zeros trimmed. */
export function numericText(text: string, keepScale: boolean): string {
  const p = parseDecimal(text);
  const frac = keepScale ? p.frac : p.frac.replace(/0+$/, '');
  return (p.negative ? '-' : '') + (p.int === '' ? '0' : p.int) + (frac ? '.' + frac : '');
}

/** A JS number as plain decimal text (no exponent), shortest round-trip digits. */
export function numberToDecimalText(n: number): string {
  return numericText(Object.is(n, -0) ? '0' : String(n), false);
}

/**
 * Plain decimal text with at most `scale` fraction digits (the converter refuses more) padded to
 * exactly `scale`, as numeric(p, scale) prints it.
 */
export function padScale(text: string, scale: number): string {
  const dot = text.indexOf('.');
  const have = dot < 0 ? 0 : text.length - dot - 1;
  if (have === scale) return text;
  return (dot < 0 ? text + '.' : text) + '0'.repeat(scale - have);
}
