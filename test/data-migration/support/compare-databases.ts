import Database from 'better-sqlite3';
import pg from 'pg';

/**
 * An independent source/target comparison for the tests: it does not use the tool's conversion or
 * checksum code. Source values are normalised with SQLite's own functions (dates through strftime to
 * the second, their fractions to the microsecond from the stored value, blobs through hex), target values with PostgreSQL's text output, and every row of every table is
 * compared as a multiset.
 */
export interface Difference {
  table: string;
  what: string;
}

interface PgColumn {
  name: string;
  type: string;
  not_null: boolean;
}

const BOOL: Record<string, string> = {
  '1': 'true',
  '0': 'false',
  t: 'true',
  f: 'false',
  true: 'true',
  false: 'false',
  yes: 'true',
  no: 'false',
};

export async function compareDatabases(
  sqlitePath: string,
  targetUrl: string,
  options: { exclude?: Map<string, Set<string>>; skipTables?: string[] } = {},
): Promise<Difference[]> {
  const db = new Database(sqlitePath, { readonly: true, fileMustExist: true });
  const client = new pg.Client({ connectionString: targetUrl });
  await client.connect();
  const diffs: Difference[] = [];
  try {
    await client.query("SET TimeZone = 'UTC'");
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .pluck()
      .all() as string[];
    for (const table of tables.filter((t) => !(options.skipTables ?? []).includes(t))) {
      const { rows: cols } = await client.query<PgColumn>(
        `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null
           FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relname = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
        [table],
      );
      if (cols.length === 0) {
        diffs.push({ table, what: 'missing on the target' });
        continue;
      }
      const info = db.prepare(`PRAGMA table_info("${table.replaceAll('"', '""')}")`).all() as {
        name: string;
        notnull: number;
        pk: number;
      }[];
      for (const c of info) {
        const t = cols.find((x) => x.name === c.name);
        if (!t) diffs.push({ table, what: `column ${c.name} missing` });
        else if (t.not_null !== (c.notnull === 1 || c.pk > 0))
          diffs.push({ table, what: `column ${c.name} NOT NULL differs` });
      }
      // Target-only columns (filled by their defaults) are not part of the comparison.
      const shared = cols.filter((c) => info.some((i) => i.name === c.name));
      const source = sourceRows(db, table, shared, options.exclude?.get(table));
      const target = await targetRows(client, table, shared);
      if (source.length !== target.length)
        diffs.push({ table, what: `row count ${source.length} vs ${target.length}` });
      source.sort();
      target.sort();
      for (let i = 0; i < Math.max(source.length, target.length); i++) {
        if (source[i] !== target[i]) {
          diffs.push({ table, what: `row differs:\n  source ${source[i]}\n  target ${target[i]}` });
          break;
        }
      }
    }
  } finally {
    db.close();
    await client.end();
  }
  return diffs;
}

/**
 * The source side of a column: dates and times through SQLite's strftime to the second, with the raw
 * value beside it (as `seconds|type|raw`) so the fraction is taken from what was stored, to the
 * microsecond, rather than from strftime's milliseconds.
 */
function sourceExpr(col: string, type: string): string {
  const c = `"${col.replaceAll('"', '""')}"`;
  const time = (fmt: string): string =>
    `CASE typeof(${c}) WHEN 'integer' THEN strftime('${fmt}', CASE WHEN abs(${c}) >= 100000000000 THEN ${c} / 1000.0 ELSE ${c} END, 'unixepoch')
       WHEN 'real' THEN CASE WHEN ${c} < 10000000 THEN strftime('${fmt}', ${c}) ELSE strftime('${fmt}', ${c}, 'unixepoch') END
       ELSE strftime('${fmt}', ${c}) END`;
  const withRaw = (expr: string): string =>
    `CASE WHEN ${c} IS NULL THEN NULL ELSE (${expr}) || '|' || typeof(${c}) || '|' || ${c} END`;
  if (type.startsWith('timestamp')) return withRaw(time('%Y-%m-%dT%H:%M:%S'));
  if (type === 'date') return time('%Y-%m-%d');
  if (type.startsWith('time')) return withRaw(`strftime('%H:%M:%S', ${c})`);
  if (type === 'bytea') return `CASE WHEN ${c} IS NULL THEN NULL ELSE lower(hex(${c})) END`;
  return c;
}

/** `seconds|type|raw` from sourceExpr to `seconds.micros`. */
function withMicros(value: string): string {
  const [seconds = '', kind = '', raw = ''] = value.split('|');
  let micros: number;
  if (kind === 'integer') {
    // Epoch milliseconds carry a fraction of a second; epoch seconds do not.
    micros = Math.abs(Number(raw)) >= 1e11 ? (((Number(raw) % 1000) + 1000) % 1000) * 1000 : 0;
  } else if (kind === 'real') {
    // Epoch seconds or Julian days: as exact as the float is.
    const day = Number(raw) < 10000000;
    const secondsOfValue = day ? (Number(raw) - 2440587.5) * 86400 : Number(raw);
    micros = Math.round((((secondsOfValue % 1) + 1) % 1) * 1e6) % 1e6;
  } else {
    const fraction = /\d{2}:\d{2}:\d{2}\.(\d+)/.exec(raw)?.[1] ?? '';
    micros = Math.round(Number(`0.${fraction || '0'}`) * 1e6);
  }
  return `${seconds}.${String(micros).padStart(6, '0')}`;
}

function targetExpr(col: string, type: string): string {
  const c = `"${col.replaceAll('"', '""')}"`;
  if (type.startsWith('timestamp')) return `to_char(${c}, 'YYYY-MM-DD"T"HH24:MI:SS.US')`;
  if (type === 'date') return `to_char(${c}, 'YYYY-MM-DD')`;
  if (type.startsWith('time')) return `to_char(${c}, 'HH24:MI:SS.US')`;
  if (type === 'bytea') return `encode(${c}, 'hex')`;
  return `${c}::text`;
}

function sourceTime(value: unknown, type: string): unknown {
  const timed = type.startsWith('timestamp') || type.startsWith('time');
  return typeof value === 'string' && timed ? withMicros(value) : value;
}

function normalise(value: unknown, type: string): string | null {
  if (value === null || value === undefined) return null;
  const s =
    typeof value === 'bigint' || typeof value === 'number' || typeof value === 'string'
      ? value.toString()
      : Buffer.isBuffer(value)
        ? value.toString('hex')
        : JSON.stringify(value);
  if (type === 'boolean') return BOOL[s.toLowerCase()] ?? `?${s}`;
  if (type === 'double precision' || type === 'real') return String(Number(s));
  if (type.startsWith('numeric')) {
    const n = s.includes('e') || s.includes('E') ? Number(s).toFixed(20) : s;
    return n.includes('.') ? n.replace(/0+$/, '').replace(/\.$/, '') : n;
  }
  if (type === 'jsonb' || type === 'json') return JSON.stringify(sortKeys(JSON.parse(s)));
  if (type === 'uuid') return s.toLowerCase().replace(/[{}-]/g, '');
  if (type.startsWith('character(')) return s.replace(/ +$/, '');
  if (type === 'text' || type.startsWith('character varying')) {
    if (typeof value === 'number' && Number.isInteger(value)) return value.toFixed(1);
  }
  return s;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

function sourceRows(db: Database.Database, table: string, cols: PgColumn[], exclude?: Set<string>): string[] {
  const withoutRowid = /WITHOUT\s+ROWID\s*$/i.test(
    (db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').pluck().get(table) as string).trim(),
  );
  const exprs = cols.map((c) => sourceExpr(c.name, c.type)).join(', ');
  const sql = `SELECT ${withoutRowid ? 'NULL' : 'rowid'}, ${exprs} FROM "${table.replaceAll('"', '""')}"`;
  const rows = db.prepare(sql).raw(true).safeIntegers(true).all() as unknown[][];
  return rows
    .filter((r) => !exclude?.has(String(r[0])))
    .map((r) => JSON.stringify(cols.map((c, i) => normalise(sourceTime(r[i + 1], c.type), c.type))));
}

async function targetRows(client: pg.Client, table: string, cols: PgColumn[]): Promise<string[]> {
  const exprs = cols.map((c) => targetExpr(c.name, c.type)).join(', ');
  const { rows } = await client.query<unknown[]>({
    text: `SELECT ${exprs} FROM "${table.replaceAll('"', '""')}"`,
    rowMode: 'array',
  });
  return rows.map((r) => JSON.stringify(cols.map((c, i) => normalise(r[i], c.type))));
}
