import { closingParen, quoteIdent, quoteLiteral, tokenize, type Token } from './sql-tokens';

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

const FUNCTION_RENAMES: Record<string, string> = { IFNULL: 'COALESCE', SUBSTR: 'SUBSTR', LENGTH: 'LENGTH' };
/** SQLite functions with no faithful PostgreSQL spelling: their presence makes the text untranslatable. */
const UNTRANSLATABLE = new Set([
  'TYPEOF',
  'GLOB',
  'STRFTIME',
  'JULIANDAY',
  'RANDOMBLOB',
  'INSTR',
  'PRINTF',
  'HEX',
  'UNICODE',
  'ZEROBLOB',
  'LIKELY',
  'UNLIKELY',
  'IIF',
  'TOTAL',
  'GROUP_CONCAT',
  'JSON_EXTRACT',
]);

export class UntranslatableSqlError extends Error {}

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
 * `==` → `=`, IFNULL → COALESCE, datetime('…') literals, blob literals, 0/1 against boolean columns.
 * Throws UntranslatableSqlError for SQLite-only constructs; PostgreSQL has the last word when the
 * result is executed (a failure there is reported, never hidden).
 */
export function translateExpression(sql: string, ctx: TranslationContext): string {
  const tokens = tokenize(sql);
  const aliases = aliasNames(tokens);
  const out: string[] = [];
  let lastMeaningful: Token | undefined;
  let lastIdent: string | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === undefined) continue;
    const next = nextMeaningful(tokens, i);
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
        if (next?.text === '(') {
          if (UNTRANSLATABLE.has(upper))
            throw new UntranslatableSqlError(`SQLite function ${t.text}() has no PostgreSQL equivalent here`);
          const special = translateDateCall(tokens, i);
          if (special) {
            out.push(special.text);
            i = special.end;
            lastMeaningful = tokens[i];
            continue;
          }
          text = FUNCTION_RENAMES[upper] ?? t.text;
        } else if (upper === 'GLOB' || upper === 'REGEXP' || upper === 'MATCH') {
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

function nextMeaningful(tokens: Token[], i: number): Token | undefined {
  for (let j = i + 1; j < tokens.length; j++) if (tokens[j]?.kind !== 'space') return tokens[j];
  return undefined;
}

/** datetime('now') / date('now') / time('now') and datetime('literal') → PostgreSQL spellings. */
function translateDateCall(tokens: Token[], i: number): { text: string; end: number } | undefined {
  const name = tokens[i]?.text.toUpperCase() ?? '';
  if (!['DATETIME', 'DATE', 'TIME'].includes(name)) return undefined;
  let open = i + 1;
  while (tokens[open]?.kind === 'space') open++;
  const close = closingParen(tokens, open);
  const args = tokens.slice(open + 1, close).filter((t) => t.kind !== 'space');
  if (close < 0 || args.length !== 1 || args[0]?.kind !== 'string') {
    throw new UntranslatableSqlError(
      `SQLite ${tokens[i]?.text}() call with these arguments has no PostgreSQL equivalent`,
    );
  }
  const value = args[0].value;
  if (value.toLowerCase() === 'now') {
    const now = { DATETIME: 'CURRENT_TIMESTAMP', DATE: 'CURRENT_DATE', TIME: 'LOCALTIME' }[name];
    return { text: now ?? 'CURRENT_TIMESTAMP', end: close };
  }
  const type = { DATETIME: 'timestamptz', DATE: 'date', TIME: 'time' }[name] ?? 'timestamptz';
  return { text: `CAST(${quoteLiteral(value)} AS ${type})`, end: close };
}
