import type Database from 'better-sqlite3';
import type pg from 'pg';
import { makeConverter } from '../convert/value-converter';
import type { SqliteValue } from '../model/plan';
import type { ViewVerification } from '../model/report';
import type { TargetKind } from '../model/target-type';
import { mapDeclaredType } from '../schema/target-type';
import { closingParen, isWord, quoteIdent, tokenize } from '../schema/sql-tokens';
import { viewRefusedBySqlite } from '../source/sqlite-schema';
import { CopyDigest } from './copy-digest';

/** PostgreSQL type OIDs of view columns, as the kinds the converters know. */
const KIND_BY_OID: Record<number, string> = {
  16: 'BOOLEAN',
  20: 'BIGINT',
  21: 'SMALLINT',
  23: 'BIGINT',
  700: 'REAL',
  701: 'DOUBLE',
  1700: 'NUMERIC',
  25: 'TEXT',
  1043: 'TEXT',
  1042: 'TEXT',
  17: 'BLOB',
  1184: 'DATETIME',
  1082: 'DATE',
  1083: 'TIME',
  3802: 'JSON',
  2950: 'UUID',
};

const FETCH_ROWS = 2000;

/**
 * Proves a carried view: `SELECT * FROM view` on the snapshot and on the target give the same rows,
 * as a multiset (summed row digests), or in order when the view's own SELECT ends in ORDER BY.
 * Each SQLite value is written as the target column's converter writes it (so `1` is `t` in a
 * boolean column, an epoch integer an instant) and compared with what PostgreSQL prints in the
 * readback session; numbers that are not integers compare to 12 significant digits (SQLite
 * computes in doubles where PostgreSQL may use numeric). Memory is bounded: rows are digested as
 * they are read.
 */
export async function verifyView(
  db: Database.Database,
  client: pg.Client,
  view: { name: string; sql: string },
): Promise<ViewVerification> {
  const t0 = Date.now();
  const ordered = endsInOrderBy(view.sql);
  const target = new CopyDigest(ordered);
  let kinds: TargetKind[] = [];
  let convert: ((v: SqliteValue) => string | null)[] = [];
  await client.query('BEGIN');
  try {
    await client.query(`DECLARE pgmove_view NO SCROLL CURSOR FOR SELECT * FROM ${quoteIdent(view.name)}`);
    for (;;) {
      const result = await client.query<(string | null)[]>({
        text: `FETCH ${FETCH_ROWS} FROM pgmove_view`,
        rowMode: 'array',
        types: { getTypeParser: () => (value: string) => value },
      });
      if (kinds.length === 0) {
        const types = result.fields.map((f) =>
          // character(n) prints padded to n: its converter pads too.
          mapDeclaredType(
            f.dataTypeID === 1042 && f.dataTypeModifier > 4
              ? `CHAR(${f.dataTypeModifier - 4})`
              : (KIND_BY_OID[f.dataTypeID] ?? 'TEXT'),
          ),
        );
        kinds = types.map((t) => t.kind);
        convert = types.map((t) => {
          const c = makeConverter(t, { notNull: false });
          return (v) => c.convert(v, true);
        });
      }
      for (const row of result.rows) target.add(line(row.map((v, i) => canonical(v, kinds[i]))));
      if (result.rows.length < FETCH_ROWS) break;
    }
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
  const source = new CopyDigest(ordered);
  const refused = viewRefusedBySqlite(db, view.name);
  if (refused !== undefined)
    return result(
      view.name,
      ordered,
      t0,
      { rows: 0, checksum: '' },
      target.result(),
      `SQLite cannot run it: ${refused}`,
    );
  const rows = db
    .prepare(`SELECT * FROM ${quoteIdent(view.name)}`)
    .raw(true)
    .safeIntegers(true)
    .iterate() as IterableIterator<SqliteValue[]>;
  for (const row of rows) {
    source.add(
      line(
        row.map((v, i) => {
          const f = convert[i];
          if (!f) return `?${String(v)}`;
          try {
            return canonical(f(v), kinds[i]);
          } catch (error) {
            return `?${(error as Error).message}`;
          }
        }),
      ),
    );
  }
  return result(view.name, ordered, t0, source.result(), target.result());
}

function result(
  view: string,
  ordered: boolean,
  t0: number,
  s: { rows: number; checksum: string },
  t: { rows: number; checksum: string },
  refused?: string,
): ViewVerification {
  const ok = refused === undefined && s.rows === t.rows && s.checksum === t.checksum;
  const problem =
    refused ??
    (s.rows !== t.rows
      ? `${s.rows} row(s) in SQLite, ${t.rows} in PostgreSQL`
      : `the rows differ${ordered ? ' (or their order)' : ''}`);
  return {
    view,
    ordered,
    sourceRows: s.rows,
    targetRows: t.rows,
    ok,
    ...(ok ? {} : { problem }),
    seconds: (Date.now() - t0) / 1000,
  };
}

function line(values: (string | null)[]): Buffer {
  return Buffer.from(JSON.stringify(values) + '\n');
}

/** A value's comparable text: non-integer numbers to 12 significant digits, the rest as printed. */
function canonical(value: string | null, kind: TargetKind | undefined): string | null {
  if (value === null) return null;
  if (kind === 'numeric' || kind === 'double' || kind === 'real') {
    if (/^-?\d+(\.0*)?$/.test(value)) return value.replace(/\.0*$/, '').replace(/^-0$/, '0');
    const n = Number(value);
    if (Number.isFinite(n)) return String(Number(n.toPrecision(12)));
  }
  return value;
}

/** True when the view's own SELECT (not a subquery's) ends in ORDER BY. */
export function endsInOrderBy(sql: string): boolean {
  const tokens = tokenize(sql).filter((t) => t.kind !== 'space');
  let last = -1;
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i]?.text === '(') {
      const close = closingParen(tokens, i);
      // The column list and subqueries are skipped; only the outer query's ORDER BY counts.
      if (close > i) i = close;
      continue;
    }
    if (isWord(tokens[i], 'ORDER') && isWord(tokens[i + 1], 'BY')) last = i;
    if (isWord(tokens[i], 'UNION', 'EXCEPT', 'INTERSECT')) last = -1;
  }
  return last >= 0;
}
