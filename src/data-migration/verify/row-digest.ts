import { createHash, hash, type Hash } from 'node:crypto';

const QUOTED_CHARS = /['\\]/;
const QUOTED_CHARS_ALL = /['\\]/g;

/**
 * A row's canonical text: its canonical values as PostgreSQL's `quote_nullable` writes them, joined
 * by commas: `NULL` or a quoted literal with `'` and `\` doubled (and an `E` before it when it holds a
 * `\`). Unambiguous, independent of the server's locale, and one function call per value in SQL
 * (pgRowTextSql), far cheaper there than length prefixes built with operators. Values of `plain`
 * columns (numbers, dates, hex: never empty, never a quote, backslash or comma) go unquoted.
 */
export function rowText(canonicals: (string | null)[], plain: boolean[] = []): string {
  let text = '';
  for (let i = 0; i < canonicals.length; i++) {
    const c = canonicals[i];
    if (i > 0) text += ',';
    if (c === null || c === undefined) text += 'NULL';
    else if (plain[i]) text += c;
    else if (!QUOTED_CHARS.test(c)) text += "'" + c + "'";
    else text += (c.includes('\\') ? "E'" : "'") + c.replace(QUOTED_CHARS_ALL, '$&$&') + "'";
  }
  return text;
}

/**
 * A row's digest: md5 over its canonical text (rowText), first 8 bytes read as a signed 64-bit
 * integer. Tables without an integer key compare by count and the sum of digests, which does not
 * depend on row order; PostgreSQL computes the same in SQL (pgRowDigestSql).
 */
export function rowDigest(text: string): bigint {
  // One-shot hashing: a Hash object per row costs more than the digest itself.
  return hash('md5', text, 'buffer').readBigInt64BE(0);
}

/**
 * The ordered digest of a chunk: md5 of its rows' canonical texts in key order, joined by newlines
 * (rows are self-delimiting, the newline only mirrors string_agg). PostgreSQL computes the same with
 * pgOrderedDigestSql.
 */
export class OrderedDigest {
  private readonly md5: Hash = createHash('md5');
  private parts: string[] = [];
  private chars = 0;
  private started = false;

  add(text: string): void {
    // Hashing in batches joined natively: one update() per row costs more than the md5 of the row,
    // and a long concatenated string keeps every row alive through the garbage collector's copies.
    this.parts.push(text);
    this.chars += text.length + 1;
    if (this.chars >= 1 << 16) this.flush();
  }

  hex(): string {
    this.flush();
    return this.md5.digest('hex');
  }

  private flush(): void {
    if (this.parts.length === 0) return;
    this.md5.update((this.started ? '\n' : '') + this.parts.join('\n'));
    this.started = true;
    this.parts = [];
    this.chars = 0;
  }
}

/** Combines ordered chunk digests (in chunk order) into a table checksum, the same on both sides. */
export function combineOrdered(hexes: string[]): string {
  if (hexes.length === 1) return hexes[0] ?? '';
  return hash('md5', hexes.join(' '), 'hex');
}

export function pgRowTextSql(canonicalExprs: string[], plain: boolean[] = []): string {
  if (canonicalExprs.length === 0) return "''";
  const fields = canonicalExprs.map((e, i) => (plain[i] ? `coalesce(${e}, 'NULL')` : `quote_nullable(${e})`));
  return `concat_ws(',', ${fields.join(', ')})`;
}

export function pgRowDigestSql(canonicalExprs: string[], plain: boolean[] = []): string {
  return `('x' || substr(md5(${pgRowTextSql(canonicalExprs, plain)}), 1, 16))::bit(64)::bigint`;
}

export function pgOrderedDigestSql(canonicalExprs: string[], key: string, plain: boolean[] = []): string {
  return `coalesce(md5(string_agg(${pgRowTextSql(canonicalExprs, plain)}, E'\\n' ORDER BY ${key})), md5(''))`;
}
