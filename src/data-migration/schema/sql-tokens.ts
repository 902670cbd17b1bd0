/** A small SQLite SQL tokenizer, enough to translate CHECK, DEFAULT, partial-index and view text. */

export type TokenKind = 'word' | 'quoted' | 'string' | 'blob' | 'number' | 'op' | 'space';

export interface Token {
  kind: TokenKind;
  /** Source text of the token. For `quoted` identifiers, `value` holds the unquoted name. */
  text: string;
  value: string;
}

export class SqlTokenizeError extends Error {}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i] ?? '';
    const start = i;
    if (/\s/.test(ch)) {
      while (i < sql.length && /\s/.test(sql[i] ?? '')) i++;
      tokens.push({ kind: 'space', text: sql.slice(start, i), value: ' ' });
    } else if (ch === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
      tokens.push({ kind: 'space', text: sql.slice(start, i), value: ' ' });
    } else if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
      tokens.push({ kind: 'space', text: sql.slice(start, i), value: ' ' });
    } else if (ch === "'") {
      const value = readDelimited(sql, i, "'");
      i = value.end;
      const text = sql.slice(start, i);
      if ((tokens.at(-1)?.text ?? '').toLowerCase() === 'x' && tokens.at(-1)?.kind === 'word') {
        const x = tokens.pop() as Token;
        tokens.push({ kind: 'blob', text: x.text + text, value: value.value });
      } else {
        tokens.push({ kind: 'string', text, value: value.value });
      }
    } else if (ch === '"' || ch === '`') {
      const value = readDelimited(sql, i, ch);
      i = value.end;
      tokens.push({ kind: 'quoted', text: sql.slice(start, i), value: value.value });
    } else if (ch === '[') {
      const end = sql.indexOf(']', i + 1);
      if (end < 0) throw new SqlTokenizeError('unterminated [identifier]');
      i = end + 1;
      tokens.push({ kind: 'quoted', text: sql.slice(start, i), value: sql.slice(start + 1, end) });
    } else if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      const match = /^(0x[0-9a-f]+|(\d+\.?\d*|\.\d+)(e[+-]?\d+)?)/i.exec(sql.slice(i));
      const text = match?.[0] ?? ch;
      i += text.length;
      tokens.push({ kind: 'number', text, value: text });
    } else if (/[A-Za-z_\u0080-\uffff]/.test(ch)) {
      while (i < sql.length && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[i] ?? '')) i++;
      const text = sql.slice(start, i);
      tokens.push({ kind: 'word', text, value: text });
    } else {
      const two = sql.slice(i, i + 2);
      const op = ['<=', '>=', '<>', '!=', '==', '||', '<<', '>>'].includes(two) ? two : ch;
      i += op.length;
      tokens.push({ kind: 'op', text: op, value: op });
    }
  }
  return tokens;
}

function readDelimited(sql: string, start: number, quote: string): { value: string; end: number } {
  let i = start + 1;
  let value = '';
  for (;;) {
    const next = sql.indexOf(quote, i);
    if (next < 0) throw new SqlTokenizeError(`unterminated ${quote}…${quote}`);
    value += sql.slice(i, next);
    if (sql[next + 1] === quote) {
      value += quote;
      i = next + 2;
    } else {
      return { value, end: next + 1 };
    }
  }
}

export function quoteIdent(name: string): string {
  return '"' + name.replaceAll('"', '""') + '"';
}

export function quoteLiteral(value: string): string {
  return "'" + value.replaceAll("'", "''") + "'";
}

/** Splits tokens (spaces dropped) at top-level commas: the items of a parenthesised list. */
export function splitTopLevel(tokens: Token[], separator = ','): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === 'op' && t.text === '(') depth++;
    if (t.kind === 'op' && t.text === ')') depth--;
    if (depth === 0 && t.kind === 'op' && t.text === separator) parts.push([]);
    else parts.at(-1)?.push(t);
  }
  return parts;
}

/** Index of the parenthesis closing the one at `open`, or -1. */
export function closingParen(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i];
    if (t?.kind !== 'op') continue;
    if (t.text === '(') depth++;
    if (t.text === ')' && --depth === 0) return i;
  }
  return -1;
}

export function isWord(t: Token | undefined, ...words: string[]): boolean {
  return t?.kind === 'word' && words.some((w) => w.toUpperCase() === t.text.toUpperCase());
}
