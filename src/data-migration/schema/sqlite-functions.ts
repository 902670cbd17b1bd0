/**
 * SQLite function calls in CHECK, index and view SQL, each rewritten to the PostgreSQL that means
 * the same: date/time functions with their modifiers, `iif`/`if`, `instr`, `json_valid`, `length`
 * of a non-text value, `round` (half away from zero, as SQLite), multi-argument `max`/`min`.
 */
import type { TargetKind } from '../model/target-type';
import { toCharFormat } from './default-translation';
import { quoteLiteral, type Token } from './sql-tokens';

export class UntranslatableSqlError extends Error {}

/** One argument of a call: its translated text, and its tokens as written (spaces dropped). */
export interface CallArgument {
  sql: string;
  tokens: Token[];
}

/** How a call's arguments are looked at: the target kind of a bare column reference, if known. */
export type KindOf = (tokens: Token[]) => TargetKind | undefined;

const UTC_NOW = "(now() AT TIME ZONE 'UTC')";
const TIME_FUNCTIONS = new Set(['DATE', 'TIME', 'DATETIME', 'STRFTIME', 'JULIANDAY', 'UNIXEPOCH']);

/** The PostgreSQL for a call of SQLite function `name`, or undefined to keep it as written. */
export function translateCall(name: string, args: CallArgument[], kindOf: KindOf): string | undefined {
  const upper = name.toUpperCase();
  const a = args.map((x) => x.sql);
  if (TIME_FUNCTIONS.has(upper)) return timeFunction(upper, args, kindOf);
  switch (upper) {
    case 'IIF':
    case 'IF':
      return caseWhen(a);
    case 'GROUP_CONCAT':
      return groupConcat(a);
    case 'TOTAL':
      // sum() that is 0.0 over no rows and always a float.
      return `coalesce(CAST(sum(${a.join(', ')}) AS double precision), 0)`;
    case 'INSTR':
      return `strpos(${a.join(', ')})`;
    case 'JSON_VALID':
      if (a.length !== 1)
        throw new UntranslatableSqlError('json_valid() with flags has no PostgreSQL equivalent');
      return `(${a[0] ?? ''} IS JSON)`;
    case 'LENGTH': {
      const kind = args[0] ? kindOf(args[0].tokens) : undefined;
      // SQLite measures a number by its text; PostgreSQL has no length() of a number.
      const textual = kind === undefined || ['text', 'varchar', 'char', 'bytea'].includes(kind);
      return textual ? undefined : `length(CAST(${a[0] ?? ''} AS text))`;
    }
    case 'ROUND':
      // SQLite rounds half away from zero, as numeric does (double precision rounds half to even).
      return `round(CAST(${a[0] ?? ''} AS numeric)${a[1] === undefined ? '' : `, CAST(${a[1]} AS integer)`})`;
    case 'SUBSTR':
    case 'SUBSTRING':
      return `substr(${a.map((x, i) => (i === 0 || /^-?\d+$/.test(x) ? x : `CAST(${x} AS integer)`)).join(', ')})`;
    case 'TRIM':
      return a.length === 2 ? `btrim(${a.join(', ')})` : undefined;
    case 'MAX':
    case 'MIN':
      // With two or more arguments these are SQLite's scalar functions, not aggregates.
      return a.length >= 2 ? `${upper === 'MAX' ? 'GREATEST' : 'LEAST'}(${a.join(', ')})` : undefined;
    default:
      return undefined;
  }
}

/** group_concat([DISTINCT] x[, sep]) → string_agg([DISTINCT] CAST(x AS text), sep), sep ',' by default. */
function groupConcat(a: string[]): string {
  const first = a[0] ?? '';
  if (/\bORDER\s+BY\b/i.test(a.join(' ')))
    throw new UntranslatableSqlError('group_concat() with ORDER BY is not translated');
  const distinct = /^DISTINCT\s+/i.exec(first);
  const value = distinct ? first.slice(distinct[0].length) : first;
  return `string_agg(${distinct ? 'DISTINCT ' : ''}CAST(${value} AS text), ${a[1] ?? "','"})`;
}

/** iif(c1, v1[, c2, v2 …][, else]) → CASE WHEN c1 THEN v1 … [ELSE else] END. */
function caseWhen(a: string[]): string {
  if (a.length < 2) throw new UntranslatableSqlError('iif() needs a condition and a value');
  let out = 'CASE';
  let i = 0;
  for (; i + 1 < a.length; i += 2) out += ` WHEN ${a[i] ?? ''} THEN ${a[i + 1] ?? ''}`;
  if (i < a.length) out += ` ELSE ${a[i] ?? ''}`;
  return `${out} END`;
}

/**
 * date/time/datetime/strftime/julianday/unixepoch(time-value, modifier…): the time value as a UTC
 * `timestamp`, the modifiers applied in order, then the function's result. datetime(), date() and
 * time() give a timestamp, date or time to the second — printed as the text SQLite returns
 * (`YYYY-MM-DD HH:MM:SS`), and compared with date and time columns as instants rather than text.
 */
function timeFunction(name: string, args: CallArgument[], kindOf: KindOf): string {
  let rest = args;
  let format: string | undefined;
  if (name === 'STRFTIME') {
    const f = args[0]?.tokens;
    if (f?.length !== 1 || f[0]?.kind !== 'string')
      throw new UntranslatableSqlError(
        'strftime() with a format that is not a literal has no PostgreSQL equivalent',
      );
    format = f[0].value;
    rest = args.slice(1);
  }
  const modifiers = rest.slice(1).map((m) => {
    const t = m.tokens;
    if (t.length !== 1 || t[0]?.kind !== 'string')
      throw new UntranslatableSqlError(`${name.toLowerCase()}() modifier ${m.sql} is not a literal`);
    return t[0].value.trim().toLowerCase();
  });
  let ts = timeValue(rest[0], kindOf, modifiers[0] === 'unixepoch');
  for (const m of modifiers[0] === 'unixepoch' ? modifiers.slice(1) : modifiers)
    ts = applyModifier(ts, m, name);
  switch (name) {
    case 'DATETIME':
      return `date_trunc('second', ${ts})`;
    case 'DATE':
      return `CAST(${ts} AS date)`;
    case 'TIME':
      return `CAST(date_trunc('second', ${ts}) AS time)`;
    case 'JULIANDAY':
      return `(EXTRACT(EPOCH FROM ${ts}) / 86400.0 + 2440587.5)`;
    case 'UNIXEPOCH':
      return `CAST(floor(EXTRACT(EPOCH FROM ${ts})) AS bigint)`;
    default: {
      if (format === '%s') return `CAST(CAST(floor(EXTRACT(EPOCH FROM ${ts})) AS bigint) AS text)`;
      const pg = toCharFormat(format ?? '');
      if (pg === undefined)
        throw new UntranslatableSqlError(
          `strftime() format ${quoteLiteral(format ?? '')} has no to_char equivalent`,
        );
      return `to_char(${ts}, ${quoteLiteral(pg)})`;
    }
  }
}

/** A SQLite time value as a UTC `timestamp` expression. */
function timeValue(arg: CallArgument | undefined, kindOf: KindOf, epoch: boolean): string {
  if (arg === undefined) return UTC_NOW;
  const only = arg.tokens.length === 1 ? arg.tokens[0] : undefined;
  if (epoch) return `(to_timestamp(${arg.sql}) AT TIME ZONE 'UTC')`;
  if (only?.kind === 'string') {
    if (only.value.trim().toLowerCase() === 'now') return UTC_NOW;
    return `CAST(${quoteLiteral(only.value)} AS timestamp)`;
  }
  if (only?.kind === 'number') return `(to_timestamp((${arg.sql} - 2440587.5) * 86400) AT TIME ZONE 'UTC')`;
  const kind = kindOf(arg.tokens);
  if (kind === 'timestamptz') return `(${arg.sql} AT TIME ZONE 'UTC')`;
  if (kind === 'time') return `(DATE '2000-01-01' + ${arg.sql})`;
  if (kind !== undefined && ['date', 'timestamp', 'text', 'varchar', 'char'].includes(kind))
    return `CAST(${arg.sql} AS timestamp)`;
  throw new UntranslatableSqlError(
    `time value ${arg.sql} of unknown type: SQLite reads text, Julian days or (with 'unixepoch') seconds`,
  );
}

const UNITS = /^([+-]?\d+(?:\.\d+)?)\s+(year|month|day|hour|minute|second)s?$/;

function applyModifier(ts: string, modifier: string, name: string): string {
  if (modifier === 'localtime')
    return `((${ts} AT TIME ZONE 'UTC') AT TIME ZONE current_setting('TimeZone'))`;
  if (modifier === 'utc') return `((${ts} AT TIME ZONE current_setting('TimeZone')) AT TIME ZONE 'UTC')`;
  const start = /^start of (day|month|year)$/.exec(modifier);
  if (start) return `date_trunc('${start[1] ?? 'day'}', ${ts})`;
  const unit = UNITS.exec(modifier);
  if (unit) return `(${ts} + interval ${quoteLiteral(`${unit[1] ?? '0'} ${unit[2] ?? 'day'}`)})`;
  throw new UntranslatableSqlError(
    `${name.toLowerCase()}() modifier '${modifier}' has no PostgreSQL equivalent`,
  );
}

/** A GLOB pattern (literal) as an anchored POSIX regular expression (both case-sensitive). */
export function globToRegex(glob: string): string {
  let out = '^';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] ?? '';
    if (ch === '*') out += '.*';
    else if (ch === '?') out += '.';
    else if (ch === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) {
        out += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, end);
      if (body.startsWith('^')) body = '^' + body.slice(1).replaceAll('\\', '\\\\');
      else body = body.replaceAll('\\', '\\\\');
      out += `[${body}]`;
      i = end;
    } else out += /[.^$|()+{}\\]/.test(ch) ? `\\${ch}` : ch;
  }
  return out + '$';
}
