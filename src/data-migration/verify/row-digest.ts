import { hash } from 'node:crypto';
import { codePoints } from '../convert/value-converter';

/**
 * A row's digest: md5 over its canonical values, each written `<length>:<text>` (or `N` for NULL),
 * first 8 bytes read as a signed 64-bit integer. Tables compare by count and the sum of digests, which
 * does not depend on row order; PostgreSQL computes the same in SQL (pgRowDigestSql).
 */
export function rowDigest(canonicals: (string | null)[]): bigint {
  let text = '';
  for (const c of canonicals) text += c === null ? 'N' : `${codePoints(c)}:${c}`;
  // One-shot hashing: a Hash object per row costs more than the digest itself.
  return hash('md5', text, 'buffer').readBigInt64BE(0);
}

export function pgRowDigestSql(canonicalExprs: string[]): string {
  const parts = canonicalExprs.map((e) => `coalesce(char_length(${e})::text || ':' || ${e}, 'N')`);
  const concat = parts.length === 0 ? "''" : parts.join(' || ');
  return `('x' || substr(md5(${concat}), 1, 16))::bit(64)::bigint`;
}
