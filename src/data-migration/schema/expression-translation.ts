import type { TargetKind } from '../model/target-type';
import { collationName } from './collation';
import { globToRegex, translateCall, UntranslatableSqlError, type CallArgument } from './sqlite-functions';
import { closingParen, isWord, quoteIdent, quoteLiteral, tokenize, type Token } from './sql-tokens';

/** Words kept as SQL keywords (never quoted as identifiers). */
const KEYWORDS = new Set(
  (
    'ABORT ACTION ALL AND AS ASC BETWEEN BY CASE CAST COLLATE CROSS CURRENT_DATE CURRENT_TIME ' +
    'CURRENT_TIMESTAMP DESC DISTINCT ELSE END ESCAPE EXCEPT EXISTS FALSE FROM FULL GLOB GROUP HAVING IN ' +
    'INNER INTERSECT IS ISNULL JOIN LEFT LIKE LIMIT NATURAL NOT NOTNULL NULL OFFSET ON OR ORDER OUTER ' +
    'OVER PARTITION RIGHT SELECT THEN TRUE UNION USING VALUES WHEN WHERE WITH RECURSIVE ' +
    'INTEGER INT BIGINT TEXT REAL NUMERIC BLOB VARCHAR DOUBLE PRECISION FLOAT BOOLEAN DATE TIME TIMESTAMP'
  ).split(' '),
);

const FUNCTION_RENAMES: Record<string, string> = { IFNULL: 'COALESCE' };
/** SQLite functions with no faithful PostgreSQL spelling: their presence makes the text untranslatable. */
const UNTRANSLATABLE = new Set([
  'TYPEOF',
  'RANDOMBLOB',
  'PRINTF',
  'FORMAT',
  'HEX',
  'UNICODE',
  'ZEROBLOB',
  'LIKELY',
  'UNLIKELY',
  'JSON_EXTRACT',
  'GLOB',
  'LIKE',
]);

/** SQLite type names in CAST(… AS type), by their affinity (https://sqlite.org/datatype3.html). */
const CAST_TYPES: Record<string, string> = {
  INTEGER: 'bigint',
  INT: 'bigint',
  BIGINT: 'bigint',
  REAL: 'double precision',
  FLOAT: 'double precision',
  DOUBLE: 'double precision',
  TEXT: 'text',
  BLOB: 'bytea',
  NUMERIC: 'numeric',
};

export { UntranslatableSqlError };

export interface TranslationContext {
  /** Exact spelling of a table, view or column named case-insensitively, if it exists. */
  resolve(name: string): string | undefined;
  /** Lower-cased names of boolean columns, so `flag = 1` becomes `flag = true`. */
  booleanColumns?: Set<string>;
  /**
   * Lower-cased names of text columns: SQLite compares `text_col = 0` as text (the literal takes the
   * column's TEXT affinity), so the literal becomes `'0'`.
   */
  textColumns?: Set<string>;
  /** The target kind of a column named case-insensitively, when every table agrees on it. */
  columnKind?(name: string): TargetKind | undefined;
  /** The target collation (`nocase`) of a column named case-insensitively, when every table agrees. */
  columnCollation?(name: string): string | undefined;
}

const COMPARISONS = ['=', '==', '!=', '<>', '<', '>', '<=', '>='];

/** Output names (`AS alias`) a SELECT defines, so other views referring to them resolve. */
export function selectAliases(sql: string): string[] {
  return asNames(tokenize(sql));
}

/** The names that follow AS, in order. */
function asNames(tokens: Token[]): string[] {
  const meaningful = tokens.filter((t) => t.kind !== 'space');
  return meaningful.flatMap((t, i) => {
    const prev = meaningful[i - 1];
    const named = prev?.kind === 'word' && prev.text.toUpperCase() === 'AS';
    return named && (t.kind === 'word' || t.kind === 'quoted') ? [t.value] : [];
  });
}

/**
 * Translates a SQLite expression or SELECT to PostgreSQL: identifiers quoted with their exact names,
 * `==` → `=`, IFNULL → COALESCE, the SQLite functions of sqlite-functions.ts, LIKE (case-insensitive
 * for ASCII in SQLite) → ILIKE, GLOB with a literal pattern → a regular expression, CAST to SQLite's
 * type names, blob literals, 0/1 against boolean columns (also in `IN (0, 1)`).
 * Throws UntranslatableSqlError for SQLite-only constructs; PostgreSQL has the last word when the
 * result is executed (a failure there is reported, never hidden).
 */
export function translateExpression(sql: string, ctx: TranslationContext): string {
  const tokens = tokenize(sql);
  return translateTokens(tokens, ctx, aliasNames(tokens));
}

function translateTokens(written: Token[], ctx: TranslationContext, aliases: Map<string, string>): string {
  const out: string[] = [];
  let lastMeaningful: Token | undefined;
  let lastIdent: string | undefined;
  const sub = (slice: Token[]): string => translateTokens(slice, ctx, aliases);
  const tokens = byAffinity(written, ctx, aliases, sub);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === undefined) continue;
    let text = t.text;
    switch (t.kind) {
      case 'space':
        out.push(' ');
        continue;
      case 'quoted':
        text = quoteIdent(resolveName(t.value, ctx, aliases) ?? t.value);
        break;
      case 'word': {
        const upper = t.text.toUpperCase();
        const span = spanning(tokens, i, lastMeaningful, lastIdent, ctx, sub, aliases);
        if (span) {
          out.push(span.text);
          i = span.end;
          lastMeaningful = tokens[i];
          if (!span.keepsColumn) lastIdent = undefined;
          continue;
        }
        if (upper === 'LIKE') {
          text = likeOperator(lastIdent, ctx);
        } else if (upper === 'REGEXP' || upper === 'MATCH') {
          throw new UntranslatableSqlError(`SQLite operator ${upper} has no PostgreSQL equivalent`);
        } else if (KEYWORDS.has(upper)) {
          text = upper === 'ISNULL' ? 'IS NULL' : upper === 'NOTNULL' ? 'IS NOT NULL' : t.text;
        } else {
          const exact = resolveName(t.text, ctx, aliases);
          text = exact === undefined ? t.text.toLowerCase() : quoteIdent(exact);
        }
        break;
      }
      case 'op':
        if (t.text === '==') text = '=';
        break;
      case 'blob':
        text = `'\\x${t.value}'::bytea`;
        break;
      case 'number': {
        const compared =
          lastMeaningful?.kind === 'op' &&
          COMPARISONS.includes(lastMeaningful.text) &&
          lastIdent !== undefined
            ? lastIdent.toLowerCase()
            : undefined;
        if (compared !== undefined && /^[01]$/.test(t.text) && ctx.booleanColumns?.has(compared)) {
          text = t.text === '1' ? 'true' : 'false';
        } else if (compared !== undefined && ctx.textColumns?.has(compared)) {
          text = quoteLiteral(t.text);
        }
        break;
      }
      case 'string':
        break;
    }
    if (t.kind === 'word' || t.kind === 'quoted') lastIdent = t.value;
    // A closing parenthesis keeps the column in view: Access-style views write ((t.col)=0).
    else if (t.kind !== 'op' || !(COMPARISONS.includes(t.text) || t.text === ')')) lastIdent = undefined;
    out.push(text);
    lastMeaningful = t;
  }
  return out.join('').replace(/\s+/g, ' ').trim();
}

/** A translation that spans tokens from `i` to `end`; `keepsColumn` leaves the column in view. */
interface Span {
  text: string;
  end: number;
  keepsColumn?: boolean;
}

/**
 * The constructs at word `i` that span more than the word: a function call, CAST, `IN (0, 1)`
 * after a boolean column, GLOB, COLLATE, and LIKE with a pattern holding a backslash.
 */
function spanning(
  tokens: Token[],
  i: number,
  lastMeaningful: Token | undefined,
  lastIdent: string | undefined,
  ctx: TranslationContext,
  sub: (slice: Token[]) => string,
  aliases: Map<string, string>,
): Span | undefined {
  const upper = tokens[i]?.text.toUpperCase() ?? '';
  const open = nextMeaningfulIndex(tokens, i);
  const paren = tokens[open]?.text === '(';
  // `INSERT INTO t (a, b)` names a table, not a function; DATE and TIME are functions too.
  const call = paren && !isWord(lastMeaningful, 'INTO');
  if (call && (!KEYWORDS.has(upper) || upper === 'DATE' || upper === 'TIME'))
    return functionCall(tokens, i, ctx, sub, aliases);
  if (upper === 'CAST' && paren) return castCall(tokens, i, sub);
  if (upper === 'IN' && paren && lastIdent && ctx.booleanColumns?.has(lastIdent.toLowerCase()))
    return booleanList(tokens, i, sub);
  if (upper === 'GLOB') return globOperator(tokens, i);
  if (upper === 'COLLATE')
    return { text: `COLLATE ${collationName(tokens[open]?.value ?? '')}`, end: open, keepsColumn: true };
  if (upper === 'LIKE') {
    // SQLite's LIKE has no escape character unless ESCAPE names one; PostgreSQL's is backslash.
    const p = tokens[open];
    if (
      p?.kind === 'string' &&
      p.value.includes('\\') &&
      !isWord(tokens[nextMeaningfulIndex(tokens, open)], 'ESCAPE')
    )
      return {
        text: `${likeOperator(lastIdent, ctx)} ${quoteLiteral(p.value.replaceAll('\\', '\\\\'))}`,
        end: open,
      };
  }
  return undefined;
}

/** SQLite's LIKE ignores case (ASCII); PostgreSQL 16 has no LIKE under a nondeterministic collation. */
function likeOperator(lastIdent: string | undefined, ctx: TranslationContext): string {
  return lastIdent && ctx.columnCollation?.(lastIdent) ? 'COLLATE "C" ILIKE' : 'ILIKE';
}

const ARITHMETIC = new Set(['+', '-', '*', '/', '%']);

/**
 * SQLite's affinity and coercion where PostgreSQL would refuse or differ: a text operand of
 * arithmetic is the number its text starts with (0 if none, so Northwind's `FirstName + ' '` is 0),
 * and a number compared with a text column (written before it) is compared as text. Returns the
 * tokens with such operands replaced by their PostgreSQL (as one pass-through token).
 */
function byAffinity(
  tokens: Token[],
  ctx: TranslationContext,
  aliases: Map<string, string>,
  sub: (slice: Token[]) => string,
): Token[] {
  const m = tokens.map((tk, i) => ({ tk, i })).filter((x) => x.tk.kind !== 'space');
  const replace = new Map<number, { to: number; text: string }>();
  const isText = (kind: TargetKind | undefined): boolean =>
    kind === 'text' || kind === 'varchar' || kind === 'char';
  const operandEnd = (k: number): boolean => {
    const t = m[k]?.tk;
    return !!t && (t.kind === 'string' || t.kind === 'number' || t.text === ')' || name(t));
  };
  const name = (t: Token | undefined): boolean =>
    !!t && (t.kind === 'quoted' || (t.kind === 'word' && !KEYWORDS.has(t.text.toUpperCase())));
  /** A column reference or string literal from meaningful index `from` to `to`, if its kind is text. */
  const textOperand = (from: number, to: number): boolean => {
    if (from < 0 || to >= m.length || from > to) return false;
    const last = m[to]?.tk;
    if (from === to && last?.kind === 'string') return true;
    const shape =
      from === to ? name(last) : to - from === 2 && m[from + 1]?.tk.text === '.' && name(m[from]?.tk);
    if (!shape || m[to + 1]?.tk.text === '(' || m[to + 1]?.tk.text === '.') return false;
    if (!last || (aliases.has(last.value.toLowerCase()) && !ctx.resolve(last.value))) return false;
    return isText(ctx.columnKind?.(last.value));
  };
  const coerce = (from: number, to: number): void => {
    const a = m[from]?.i ?? 0;
    const b = m[to]?.i ?? 0;
    const only = m[from]?.tk;
    const text =
      from === to && only?.kind === 'string'
        ? numericPrefix(only.value)
        : sqliteNumber(sub(tokens.slice(a, b + 1)));
    replace.set(a, { to: b, text });
  };
  for (let k = 1; k + 1 < m.length; k++) {
    const op = m[k]?.tk;
    if (op?.kind !== 'op') continue;
    if (ARITHMETIC.has(op.text) && operandEnd(k - 1)) {
      for (const [from, to] of [
        [k - 1, k - 1],
        [k - 3, k - 1],
      ] as const)
        if (textOperand(from, to) && !replace.has(m[from]?.i ?? -1)) coerce(from, to);
      for (const [from, to] of [
        [k + 1, k + 1],
        [k + 1, k + 3],
      ] as const)
        if (textOperand(from, to) && !replace.has(m[from]?.i ?? -1)) coerce(from, to);
    } else if (COMPARISONS.includes(op.text) && m[k - 1]?.tk.kind === 'number') {
      const right = [k + 1, k + 1 + 2].find((to) => textOperand(k + 1, to) && m[k + 1]?.tk.kind !== 'string');
      const n = m[k - 1];
      if (right !== undefined && n) replace.set(n.i, { to: n.i, text: quoteLiteral(n.tk.text) });
    }
  }
  if (replace.size === 0) return tokens;
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const r = replace.get(i);
    const t = tokens[i];
    if (r) {
      out.push({ kind: 'op', text: r.text, value: r.text });
      i = r.to;
    } else if (t) out.push(t);
  }
  return out;
}

/** The number SQLite reads from the start of a text (its numeric prefix), 0 if there is none. */
function numericPrefix(text: string): string {
  const prefix = /^\s*([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)/.exec(text)?.[1];
  if (prefix === undefined) return '0';
  return /^[+-]?\d+$/.test(prefix) ? String(BigInt(prefix)) : String(Number(prefix));
}

/** SQL for the number SQLite reads from a text value (NULL stays NULL). */
function sqliteNumber(sql: string): string {
  return `(CASE WHEN ${sql} IS NULL THEN NULL ELSE coalesce(CAST(substring(CAST(${sql} AS text) FROM '^\\s*([+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?)') AS numeric), 0) END)`;
}

/** A function call at `i` (name, then its parenthesised arguments), translated; `end` is its `)`. */
function functionCall(
  tokens: Token[],
  i: number,
  ctx: TranslationContext,
  sub: (slice: Token[]) => string,
  aliases: Map<string, string>,
): { text: string; end: number } {
  const name = tokens[i]?.text ?? '';
  const upper = name.toUpperCase();
  if (UNTRANSLATABLE.has(upper))
    throw new UntranslatableSqlError(`SQLite function ${name}() has no PostgreSQL equivalent here`);
  const open = nextMeaningfulIndex(tokens, i);
  const close = closingParen(tokens, open);
  if (close < 0) throw new UntranslatableSqlError(`unbalanced parentheses after ${name}`);
  const legacy = legacyDateCall(tokens, i, open, close);
  if (legacy !== undefined) return { text: legacy, end: close };
  const inner = tokens.slice(open + 1, close);
  const args: CallArgument[] = inner.some((t) => t.kind !== 'space')
    ? splitWithSpaces(inner).map((slice) => ({
        sql: sub(slice),
        tokens: slice.filter((t) => t.kind !== 'space'),
      }))
    : [];
  const kindOf = (arg: Token[]): TargetKind | undefined => columnKindOf(arg, ctx, aliases);
  const translated = translateCall(name, args, kindOf);
  if (translated !== undefined) return { text: translated, end: close };
  const renamed = FUNCTION_RENAMES[upper] ?? name;
  return { text: `${renamed}(${sub(inner)})`, end: close };
}

/** datetime('now') and datetime('literal') keep their instant (timestamptz) spellings. */
function legacyDateCall(tokens: Token[], i: number, open: number, close: number): string | undefined {
  const name = tokens[i]?.text.toUpperCase() ?? '';
  if (!['DATETIME', 'DATE', 'TIME'].includes(name)) return undefined;
  const args = tokens.slice(open + 1, close).filter((t) => t.kind !== 'space');
  if (args.length !== 1 || args[0]?.kind !== 'string') return undefined;
  const value = args[0].value;
  if (value.toLowerCase() === 'now') {
    return { DATETIME: 'CURRENT_TIMESTAMP', DATE: 'CURRENT_DATE', TIME: 'LOCALTIME' }[name];
  }
  const type = { DATETIME: 'timestamptz', DATE: 'date', TIME: 'time' }[name] ?? 'timestamptz';
  return `CAST(${quoteLiteral(value)} AS ${type})`;
}

/** CAST(x AS type) with SQLite's type names mapped by affinity. */
function castCall(tokens: Token[], i: number, sub: (slice: Token[]) => string): Span {
  const open = nextMeaningfulIndex(tokens, i);
  const close = closingParen(tokens, open);
  let as = -1;
  let depth = 0;
  for (let j = open + 1; j < close; j++) {
    const t = tokens[j];
    if (t?.text === '(') depth++;
    if (t?.text === ')') depth--;
    if (depth === 0 && isWord(t, 'AS')) as = j;
  }
  if (close < 0 || as < 0) throw new UntranslatableSqlError('CAST without AS');
  const typeName = tokens
    .slice(as + 1, close)
    .filter((t) => t.kind !== 'space')
    .map((t) => t.text)
    .join(' ');
  const base = typeName.toUpperCase().replace(/\(.*$/, '').trim();
  const type = CAST_TYPES[base] ?? typeName.toLowerCase();
  return { text: `CAST(${sub(tokens.slice(open + 1, as))} AS ${type})`, end: close };
}

/** `IN (0, 1)` after a boolean column: the numbers 0 and 1 as false and true. */
function booleanList(tokens: Token[], i: number, sub: (slice: Token[]) => string): Span {
  const open = nextMeaningfulIndex(tokens, i);
  const close = closingParen(tokens, open);
  const items = splitWithSpaces(tokens.slice(open + 1, close)).map((slice) => {
    const only = slice.filter((t) => t.kind !== 'space');
    const v = only.length === 1 && only[0]?.kind === 'number' ? only[0].text : undefined;
    return v === '0' ? 'false' : v === '1' ? 'true' : sub(slice);
  });
  return { text: `IN (${items.join(', ')})`, end: close };
}

/** `x GLOB 'pattern'` → `x ~ '^regex$'` (both case-sensitive). */
function globOperator(tokens: Token[], i: number): Span {
  const p = nextMeaningfulIndex(tokens, i);
  const pattern = tokens[p];
  if (pattern?.kind !== 'string')
    throw new UntranslatableSqlError(
      'GLOB with a pattern that is not a literal has no PostgreSQL equivalent',
    );
  return { text: `~ ${quoteLiteral(globToRegex(pattern.value))}`, end: p };
}

/** Splits tokens (spaces kept) at top-level commas. */
function splitWithSpaces(tokens: Token[]): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === 'op' && t.text === '(') depth++;
    if (t.kind === 'op' && t.text === ')') depth--;
    if (depth === 0 && t.kind === 'op' && t.text === ',') parts.push([]);
    else parts.at(-1)?.push(t);
  }
  return parts;
}

/** The target kind of an argument that is a bare column reference (`col` or `table.col`). */
function columnKindOf(
  arg: Token[],
  ctx: TranslationContext,
  aliases: Map<string, string>,
): TargetKind | undefined {
  const last = arg.at(-1);
  const qualified = arg.length === 3 && arg[1]?.text === '.';
  if (!last || (arg.length !== 1 && !qualified) || (last.kind !== 'word' && last.kind !== 'quoted'))
    return undefined;
  if (aliases.has(last.value.toLowerCase()) && !ctx.resolve(last.value)) return undefined;
  return ctx.columnKind?.(last.value);
}

/** The names given with AS, by lower case, so references to them keep the alias's spelling. */
function aliasNames(tokens: Token[]): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const name of asNames(tokens))
    if (!aliases.has(name.toLowerCase())) aliases.set(name.toLowerCase(), name);
  return aliases;
}

function resolveName(
  name: string,
  ctx: TranslationContext,
  aliases: Map<string, string>,
): string | undefined {
  return ctx.resolve(name) ?? aliases.get(name.toLowerCase());
}

function nextMeaningfulIndex(tokens: Token[], i: number): number {
  let j = i + 1;
  while (j < tokens.length && tokens[j]?.kind === 'space') j++;
  return j;
}
