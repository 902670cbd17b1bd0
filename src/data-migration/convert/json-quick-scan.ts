/**
 * jsonb's text in one pass over the input, for JSON without escapes, exponents, negative zeros or
 * non-ASCII keys (where its text is a slice of the input); undefined for anything else, valid or not,
 * which the general path then handles. Called for every JSON value the load copies.
 */
export function quickCanonical(text: string): string | undefined {
  const scan = new QuickScan(text);
  const out = scan.value();
  if (out === undefined) return undefined;
  scan.space();
  return scan.pos === text.length ? out : undefined;
}

class QuickScan {
  pos = 0;
  private keyAscii = true;
  constructor(private readonly s: string) {}

  space(): void {
    const s = this.s;
    let c = s.charCodeAt(this.pos);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = s.charCodeAt(++this.pos);
  }

  value(): string | undefined {
    this.space();
    const c = this.s.charCodeAt(this.pos);
    if (c === 0x7b) return this.object();
    if (c === 0x5b) return this.array();
    if (c === 0x22) return this.string();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    for (const word of WORDS) {
      if (this.s.startsWith(word, this.pos)) {
        this.pos += word.length;
        return word;
      }
    }
    return undefined;
  }

  /** The quoted string as written, when it holds no escape or control character. */
  string(): string | undefined {
    const s = this.s;
    const start = this.pos++;
    let ascii = true;
    for (;;) {
      const c = s.charCodeAt(this.pos++);
      if (c === 0x22) break;
      if (c === 0x5c || c < 0x20 || Number.isNaN(c)) return undefined;
      if (c > 0x7f) ascii = false;
    }
    this.keyAscii = ascii;
    return s.slice(start, this.pos);
  }

  /** A number as numeric prints it: as written, unless it has an exponent or is a negative zero. */
  number(): string | undefined {
    const s = this.s;
    const start = this.pos;
    let nonZero = false;
    if (s.charCodeAt(this.pos) === 0x2d) this.pos++;
    let c = s.charCodeAt(this.pos);
    if (c === 0x30) c = s.charCodeAt(++this.pos);
    else if (c >= 0x31 && c <= 0x39) {
      nonZero = true;
      do c = s.charCodeAt(++this.pos);
      while (c >= 0x30 && c <= 0x39);
    } else return undefined;
    if (c === 0x2e) {
      c = s.charCodeAt(++this.pos);
      if (!(c >= 0x30 && c <= 0x39)) return undefined;
      do {
        if (c !== 0x30) nonZero = true;
        c = s.charCodeAt(++this.pos);
      } while (c >= 0x30 && c <= 0x39);
    }
    if (c === 0x65 || c === 0x45) return undefined;
    if (!nonZero && s.charCodeAt(start) === 0x2d) return undefined;
    return s.slice(start, this.pos);
  }

  /** Steps past an opening bracket; true (and past the closing one too) when the container is empty. */
  private empty(close: number): boolean {
    this.pos++;
    this.space();
    if (this.s.charCodeAt(this.pos) !== close) return false;
    this.pos++;
    return true;
  }

  array(): string | undefined {
    if (this.empty(0x5d)) return '[]';
    let out = '[';
    for (;;) {
      const item = this.value();
      if (item === undefined) return undefined;
      out += item;
      this.space();
      const c = this.s.charCodeAt(this.pos++);
      if (c === 0x5d) return out + ']';
      if (c !== 0x2c) return undefined;
      out += ', ';
    }
  }

  object(): string | undefined {
    if (this.empty(0x7d)) return '{}';
    const keys: string[] = [];
    const values: string[] = [];
    let ordered = true;
    for (;;) {
      this.space();
      if (this.s.charCodeAt(this.pos) !== 0x22) return undefined;
      const key = this.string();
      // Quoted ASCII keys order like jsonb's keys: by length, then bytes.
      if (key === undefined || !this.keyAscii) return undefined;
      this.space();
      if (this.s.charCodeAt(this.pos++) !== 0x3a) return undefined;
      const value = this.value();
      if (value === undefined) return undefined;
      const last = keys[keys.length - 1];
      if (last !== undefined && compareKeys(last, key) >= 0) ordered = false;
      keys.push(key);
      values.push(value);
      this.space();
      const c = this.s.charCodeAt(this.pos++);
      if (c === 0x7d) break;
      if (c !== 0x2c) return undefined;
    }
    if (!ordered && !sortKeys(keys, values)) return undefined;
    let out = '{' + (keys[0] ?? '') + ': ' + (values[0] ?? '');
    for (let i = 1; i < keys.length; i++) out += ', ' + (keys[i] ?? '') + ': ' + (values[i] ?? '');
    return out + '}';
  }
}

const WORDS = ['true', 'false', 'null'];

/** Sorts keys (and their values alike) into jsonb's order; false on a duplicate key (the last wins). */
function sortKeys(keys: string[], values: string[]): boolean {
  // Insertion sort: objects have few keys.
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] ?? '';
    const value = values[i] ?? '';
    let j = i - 1;
    for (; j >= 0; j--) {
      const c = compareKeys(keys[j] ?? '', key);
      if (c === 0) return false;
      if (c < 0) break;
      keys[j + 1] = keys[j] ?? '';
      values[j + 1] = values[j] ?? '';
    }
    keys[j + 1] = key;
    values[j + 1] = value;
  }
  return true;
}

/** jsonb's key order for ASCII keys (UTF-16 length and order are then UTF-8's): by length, then bytes. */
export function compareKeys(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
