import type { SqliteValue } from '../model/plan';
import { quoteLiteral, tokenize, type Token } from './sql-tokens';
import type { TargetType } from '../model/target-type';

export type DefaultTranslation = { sql: string | null } | { untranslatable: string };

/** Converts a literal default to the target column's text form, or throws (BadValueError). */
export type LiteralConverter = (value: SqliteValue) => string | null;

const TIMESTAMP_TEXT = 'YYYY-MM-DD HH24:MI:SS';

/**
 * Translates a SQLite column default (as PRAGMA table_xinfo reports it) for a PostgreSQL column of
 * `type`. Literals go through the same conversion as the data, so `'0'` on a boolean column becomes
 * `false` and `'2024-01-01'` on a timestamptz column becomes that instant.
 */
export function translateDefault(
  raw: string | null,
  type: TargetType,
  convert: LiteralConverter,
): DefaultTranslation {
  if (raw === null) return { sql: null };
  let tokens = tokenize(raw).filter((t) => t.kind !== 'space');
  while (tokens[0]?.text === '(' && tokens.at(-1)?.text === ')' && balanced(tokens.slice(1, -1))) {
    tokens = tokens.slice(1, -1);
  }
  const text = tokens.map((t) => t.text).join('');
  const upper = text.toUpperCase();
  if (upper === 'NULL') return { sql: null };

  const now = nowKind(tokens);
  if (now) return translateNow(now, type, raw);

  const literal = literalValue(tokens);
  if (literal !== undefined) {
    try {
      const converted = convert(literal.value);
      return { sql: converted === null ? null : quoteLiteral(converted) };
    } catch (error) {
      return { untranslatable: `default ${raw} does not fit ${type.sql}: ${(error as Error).message}` };
    }
  }
  return { untranslatable: `default expression ${raw} has no PostgreSQL translation` };
}

/** "Now" in a unit or a strftime format; `local` for SQLite's 'localtime' modifier. */
type NowKind = ({ unit: 'timestamp' | 'date' | 'time' } | { unit: 'format'; format: string }) & {
  local?: boolean;
};

function nowKind(tokens: Token[]): NowKind | undefined {
  const first = tokens[0]?.text.toUpperCase();
  if (tokens.length === 1) {
    if (first === 'CURRENT_TIMESTAMP') return { unit: 'timestamp' };
    if (first === 'CURRENT_DATE') return { unit: 'date' };
    if (first === 'CURRENT_TIME') return { unit: 'time' };
  }
  if (tokens[1]?.text !== '(' || tokens.at(-1)?.text !== ')') return undefined;
  const args = tokens.slice(2, -1).filter((t) => t.text !== ',');
  if (first === 'UNIXEPOCH' && (args.length === 0 || args[0]?.value.toLowerCase() === 'now')) {
    return { unit: 'format', format: '%s' };
  }
  if (!args.every((t) => t.kind === 'string')) return undefined;
  const values = args.map((t) => t.value.trim().toLowerCase());
  // DATETIME('now', 'localtime') (pgloader's test files have it): now on the local wall clock.
  const local = values.at(-1) === 'localtime' && values.length > 1;
  if (local) values.pop();
  if (first === 'STRFTIME' && values[1] === 'now' && values.length === 2 && args[0]) {
    return { unit: 'format', format: args[0].value, local };
  }
  if (values.length !== 1 || values[0] !== 'now') return undefined;
  if (first === 'DATETIME') return { unit: 'timestamp', local };
  if (first === 'DATE') return { unit: 'date', local };
  if (first === 'TIME') return { unit: 'time', local };
  return undefined;
}

function translateNow(now: NowKind, type: TargetType, raw: string): DefaultTranslation {
  // The wall clock SQLite writes: UTC, or with 'localtime' the session's zone (TimeZone).
  const utc = now.local ? 'LOCALTIMESTAMP' : "(now() AT TIME ZONE 'UTC')";
  switch (type.kind) {
    case 'timestamptz':
      return { sql: 'CURRENT_TIMESTAMP' };
    case 'timestamp':
      return { sql: utc };
    case 'date':
      return { sql: 'CURRENT_DATE' };
    case 'time':
      return { sql: `CAST(${utc} AS time)` };
    case 'smallint':
    case 'integer':
    case 'bigint':
    case 'numeric':
    case 'double':
      if ('format' in now && now.format === '%s') return { sql: 'CAST(EXTRACT(EPOCH FROM now()) AS bigint)' };
      break;
    case 'text':
    case 'varchar':
    case 'char': {
      const format =
        now.unit === 'timestamp'
          ? TIMESTAMP_TEXT
          : now.unit === 'date'
            ? 'YYYY-MM-DD'
            : now.unit === 'time'
              ? 'HH24:MI:SS'
              : toCharFormat('format' in now ? now.format : '');
      if (format !== undefined) return { sql: `to_char(${utc}, ${quoteLiteral(format)})` };
      break;
    }
    case 'boolean':
    case 'bytea':
    case 'json':
    case 'jsonb':
    case 'other':
    case 'real':
    case 'uuid':
      break;
  }
  return { untranslatable: `default ${raw} has no translation for a ${type.sql} column` };
}

/** strftime format → to_char format, or undefined when a code has no equivalent. */
export function toCharFormat(format: string): string | undefined {
  const codes: Record<string, string> = {
    Y: 'YYYY',
    m: 'MM',
    d: 'DD',
    H: 'HH24',
    M: 'MI',
    S: 'SS',
    f: 'SS.MS',
    j: 'DDD',
    '%': '%',
  };
  let out = '';
  let literal = '';
  const flush = (): void => {
    if (literal) out += /^[\s\-:./,]+$/.test(literal) ? literal : `"${literal}"`;
    literal = '';
  };
  for (let i = 0; i < format.length; i++) {
    const ch = format[i] ?? '';
    if (ch !== '%') {
      literal += ch;
      continue;
    }
    const code = codes[format[i + 1] ?? ''];
    if (code === undefined) return undefined;
    flush();
    out += code;
    i++;
  }
  flush();
  return out;
}

function literalValue(tokens: Token[]): { value: SqliteValue } | undefined {
  if (tokens.length === 1) {
    const t = tokens[0];
    if (t === undefined) return undefined;
    // A double-quoted default names no column, so SQLite takes it as a string: DEFAULT "0", DEFAULT "".
    if (t.kind === 'string' || t.kind === 'quoted') return { value: t.value };
    if (t.kind === 'blob') return { value: Buffer.from(t.value, 'hex') };
    if (t.kind === 'number') return { value: numberValue(t.text) };
    if (t.kind === 'word' && /^(TRUE|FALSE)$/i.test(t.text))
      return { value: /^TRUE$/i.test(t.text) ? 1n : 0n };
  }
  if (
    tokens.length === 2 &&
    (tokens[0]?.text === '-' || tokens[0]?.text === '+') &&
    tokens[1]?.kind === 'number'
  ) {
    return { value: numberValue(tokens[0].text + tokens[1].text) };
  }
  return undefined;
}

function numberValue(text: string): bigint | number {
  if (/^[+-]?\d+$/.test(text)) return BigInt(text);
  if (/^[+-]?0x[0-9a-f]+$/i.test(text))
    return BigInt.asIntN(64, BigInt(text.replace(/^[+-]/, ''))) * (text.startsWith('-') ? -1n : 1n);
  return Number(text);
}

function balanced(tokens: Token[]): boolean {
  let depth = 0;
  for (const t of tokens) {
    if (t.text === '(') depth++;
    if (t.text === ')' && --depth < 0) return false;
  }
  return depth === 0;
}
