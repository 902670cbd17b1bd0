import { BadValueError } from './sqlite-value';
import { numericText } from './numeric-text';

/**
 * Validates JSON text the way PostgreSQL's jsonb input does and returns jsonb's text output for it
 * (keys sorted by length then bytes, last duplicate wins, numbers as numeric, `", "`/`": "` spacing).
 * A verifying load writes jsonb in this form, so the COPY text sent equals what PostgreSQL prints back.
 */
export function jsonbCanonical(text: string): string {
  const quick = quickCanonical(text);
  if (quick !== undefined) return quick;
  // Without fractions, exponents, \u escapes or long numbers JSON.parse loses nothing jsonb keeps.
  if (!NEEDS_FULL_PARSER.test(text)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined; // the parser below reports where
    }
    if (value !== undefined) return stringifyJsonb(value);
  }
  const parser = new JsonParser(text);
  parser.skipSpace();
  const out = parser.value();
  parser.skipSpace();
  if (parser.pos !== text.length) parser.fail('unexpected text after the JSON value');
  return out;
}

class JsonParser {
  pos = 0;
  constructor(private readonly s: string) {}

  fail(why: string): never {
    throw new BadValueError(`invalid JSON: ${why} at character ${this.pos + 1}`);
  }

  skipSpace(): void {
    while (this.pos < this.s.length) {
      const c = this.s.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      this.pos++;
    }
  }

  value(): string {
    const c = this.s[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return escapeJson(this.string());
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const word of ['true', 'false', 'null']) {
      if (this.s.startsWith(word, this.pos)) {
        this.pos += word.length;
        return word;
      }
    }
    return this.fail(c === undefined ? 'unexpected end' : `unexpected ${JSON.stringify(c)}`);
  }

  object(): string {
    this.pos++;
    const entries = new Map<string, string>();
    this.skipSpace();
    if (this.s[this.pos] === '}') {
      this.pos++;
      return '{}';
    }
    for (;;) {
      this.skipSpace();
      if (this.s[this.pos] !== '"') this.fail('expected a string key');
      const key = this.string();
      this.skipSpace();
      if (this.s[this.pos] !== ':') this.fail('expected ":"');
      this.pos++;
      this.skipSpace();
      entries.delete(key);
      entries.set(key, this.value());
      this.skipSpace();
      const c = this.s[this.pos++];
      if (c === '}') break;
      if (c !== ',') this.fail('expected "," or "}"');
    }
    const order = keyOrder([...entries.keys()]);
    return '{' + order.map((k) => `${k.escaped}: ${entries.get(k.name) ?? 'null'}`).join(', ') + '}';
  }

  array(): string {
    this.pos++;
    const items: string[] = [];
    this.skipSpace();
    if (this.s[this.pos] === ']') {
      this.pos++;
      return '[]';
    }
    for (;;) {
      this.skipSpace();
      items.push(this.value());
      this.skipSpace();
      const c = this.s[this.pos++];
      if (c === ']') break;
      if (c !== ',') this.fail('expected "," or "]"');
    }
    return '[' + items.join(', ') + ']';
  }

  string(): string {
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.s.charCodeAt(this.pos);
      if (Number.isNaN(c)) this.fail('unterminated string');
      if (c === 0x22) {
        this.pos++;
        return out;
      }
      if (c < 0x20) this.fail('control character in a string must be escaped');
      if (c !== 0x5c) {
        out += this.s[this.pos++];
        continue;
      }
      const e = this.s[this.pos + 1];
      this.pos += 2;
      const simple: Record<string, string> = {
        '"': '"',
        '\\': '\\',
        '/': '/',
        b: '\b',
        f: '\f',
        n: '\n',
        r: '\r',
        t: '\t',
      };
      if (e !== undefined && simple[e] !== undefined) {
        out += simple[e];
        continue;
      }
      if (e !== 'u') this.fail('invalid escape');
      const code = this.hex4();
      if (code === 0) this.fail('\\u0000 cannot be stored in jsonb');
      if (code >= 0xd800 && code <= 0xdbff) {
        if (this.s[this.pos] !== '\\' || this.s[this.pos + 1] !== 'u')
          this.fail('high surrogate without a low surrogate');
        this.pos += 2;
        const low = this.hex4();
        if (low < 0xdc00 || low > 0xdfff) this.fail('high surrogate without a low surrogate');
        out += String.fromCharCode(code, low);
      } else if (code >= 0xdc00 && code <= 0xdfff) {
        this.fail('low surrogate without a high surrogate');
      } else {
        out += String.fromCharCode(code);
      }
    }
  }

  hex4(): number {
    const h = this.s.slice(this.pos, this.pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) this.fail('invalid \\u escape');
    this.pos += 4;
    return parseInt(h, 16);
  }

  number(): string {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.pos, this.pos + 2000));
    if (!m) this.fail('invalid number');
    this.pos += m[0].length;
    return numericText(m[0], true);
  }
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what must be escaped
const NEEDS_JSON_ESCAPE = /[\u0000-\u001f"\\]/;

function plainJsonString(s: string): boolean {
  return !NEEDS_JSON_ESCAPE.test(s);
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

function escapeJson(s: string): string {
  if (plainJsonString(s)) return '"' + s + '"';
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] ?? '';
    const c = s.charCodeAt(i);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

// A fraction or exponent always follows a digit; letters inside strings do not matter.
const NEEDS_FULL_PARSER = /\d[.eE]|\\u|\d{16}/;

function stringifyJsonb(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  if (typeof v === 'string') return escapeJson(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    let out = '[' + stringifyJsonb(v[0]);
    for (let i = 1; i < v.length; i++) out += ', ' + stringifyJsonb(v[i]);
    return out + ']';
  }
  const obj = v as Record<string, unknown>;
  const names = Object.keys(obj);
  if (names.length === 0) return '{}';
  const order = keyOrder(names);
  let out = '{';
  for (let i = 0; i < order.length; i++) {
    const key = order[i];
    if (!key) continue;
    if (i > 0) out += ', ';
    out += key.escaped + ': ' + stringifyJsonb(obj[key.name]);
  }
  return out + '}';
}

interface OrderedKey {
  name: string;
  escaped: string;
}

// Rows of one column mostly hold objects of a few shapes: each shape's key order is sorted once.
const KEY_ORDERS = new Map<string, OrderedKey[]>();
const MAX_SHAPES = 1000;

/** Keys in jsonb's order (UTF-8 byte length, then bytes) with their escaped text. */
function keyOrder(names: string[]): OrderedKey[] {
  const shape = names.join('\u0000');
  const known = KEY_ORDERS.get(shape);
  if (known) return known;
  const sorted = [...names];
  // For ASCII keys, UTF-16 length and order are UTF-8 byte length and order.
  if (sorted.every(isAscii)) {
    sorted.sort(compareKeys);
  } else {
    const keys = sorted.map((k) => ({ k, b: Buffer.from(k, 'utf8') }));
    keys.sort((a, b) => a.b.length - b.b.length || Buffer.compare(a.b, b.b));
    for (let i = 0; i < keys.length; i++) sorted[i] = keys[i]?.k ?? '';
  }
  const order = sorted.map((name) => ({ name, escaped: escapeJson(name) }));
  if (KEY_ORDERS.size >= MAX_SHAPES) KEY_ORDERS.clear();
  KEY_ORDERS.set(shape, order);
  return order;
}

/**
 * jsonb's text in one pass over the input, for JSON without escapes, exponents, negative zeros or
 * non-ASCII keys (where its text is a slice of the input); undefined for anything else, valid or not,
 * which the general path then handles. Called for every JSON value the load copies.
 */
function quickCanonical(text: string): string | undefined {
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
function compareKeys(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
