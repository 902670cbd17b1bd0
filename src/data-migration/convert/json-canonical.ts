import { BadValueError } from './sqlite-value';
import { numericText } from './numeric-text';
import { compareKeys, quickCanonical } from './json-quick-scan';

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
