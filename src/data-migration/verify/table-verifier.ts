import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { PlannedColumn, PlannedTable } from '../plan/migration-plan';
import { quoteIdent } from '../schema/sql-tokens';
import { chunkQuery, iterateRows, type Chunk, type RawTextReader } from '../source/source-reader';
import { convertRow } from '../load/row-conversion';
import { pgRowDigestSql, rowDigest } from './row-digest';

export interface RangeCheck {
  column: string;
  source: { min: string | null; max: string | null };
  target: { min: string | null; max: string | null };
}

export interface TableVerification {
  table: string;
  sourceRows: number;
  targetRows: number;
  sourceChecksum: string;
  targetChecksum: string;
  ranges: RangeCheck[];
  ok: boolean;
  problems: string[];
  seconds: number;
}

/** Count, digest sum and min/max (canonical) of one side of a table. */
export interface TableDigest {
  rows: number;
  checksum: string;
  mins: (string | null)[];
  maxs: (string | null)[];
}

const RANGE_KINDS = new Set(['smallint', 'integer', 'bigint', 'timestamptz', 'timestamp', 'date']);

function rangeColumns(t: PlannedTable): PlannedColumn[] {
  return t.columns.filter(
    (c) =>
      RANGE_KINDS.has(c.type.kind) &&
      (c.source.pkPosition > 0 || !['smallint', 'integer', 'bigint'].includes(c.type.kind)),
  );
}

/** The stored rows' digest, computed by PostgreSQL in SQL. */
export async function targetDigest(client: pg.Client, table: PlannedTable): Promise<TableDigest> {
  const ranges = rangeColumns(table);
  const canon = table.columns.map((c) => c.converter.pgCanonical(quoteIdent(c.name)));
  const rangeSql = ranges
    .map((c) => {
      const e = c.converter.pgCanonical(quoteIdent(c.name));
      return `, min((${e})::numeric)::text, max((${e})::numeric)::text`;
    })
    .join('');
  const { rows } = await client.query<(string | null)[]>({
    text: `SELECT count(*)::text, coalesce(sum(${pgRowDigestSql(canon)}), 0)::text${rangeSql} FROM ${quoteIdent(table.name)}`,
    rowMode: 'array',
  });
  const r = rows[0] ?? [];
  return {
    rows: Number(r[0] ?? 0),
    checksum: r[1] ?? '0',
    mins: ranges.map((_c, k) => r[2 + 2 * k] ?? null),
    maxs: ranges.map((_c, k) => r[3 + 2 * k] ?? null),
  };
}

/**
 * The source rows' digest, computed here from the SQLite file: each row converted as the load
 * converts it, minus the rows the run rejected.
 */
export async function sourceDigest(
  db: Database.Database,
  raw: RawTextReader,
  table: PlannedTable,
  rejected: Set<string>,
  chunk: Chunk = { index: 0, lo: null, hi: null, rows: 0 },
): Promise<TableDigest> {
  const ranges = rangeColumns(table);
  const rangeIndex = ranges.map((r) => table.columns.indexOf(r));
  let rows = 0;
  let sum = 0n;
  const mins: (bigint | null)[] = ranges.map(() => null);
  const maxs: (bigint | null)[] = ranges.map(() => null);
  const { sql, params } = chunkQuery(table, chunk);
  let sinceYield = 0;
  for (const row of iterateRows(db, sql, params)) {
    // Let other work on this thread (PostgreSQL traffic, progress) through while this one reads.
    if (++sinceYield === 5000) {
      sinceYield = 0;
      await new Promise((r) => setImmediate(r));
    }
    if (row[0] !== null && row[0] !== undefined && rejected.has(String(row[0]))) continue;
    const converted = convertRow(table, row, raw, undefined);
    if (!Array.isArray(converted)) continue;
    const canonical = converted.map((v, i) =>
      v === null ? null : (table.columns[i]?.converter.canonical(v) ?? v),
    );
    sum += rowDigest(canonical);
    rows++;
    rangeIndex.forEach((ci, k) => {
      const c = canonical[ci];
      if (c === null || c === undefined) return;
      const v = BigInt(c);
      const lo = mins[k];
      const hi = maxs[k];
      if (lo === null || lo === undefined || v < lo) mins[k] = v;
      if (hi === null || hi === undefined || v > hi) maxs[k] = v;
    });
  }
  return {
    rows,
    checksum: sum.toString(),
    mins: mins.map((m) => m?.toString() ?? null),
    maxs: maxs.map((m) => m?.toString() ?? null),
  };
}

/** Digests of a table's chunks added up (counts and sums add; min/max take the extremes). */
export function mergeDigests(parts: TableDigest[]): TableDigest {
  const first = parts[0];
  if (!first) return { rows: 0, checksum: '0', mins: [], maxs: [] };
  const pick = (a: string | null, b: string | null, lower: boolean): string | null => {
    if (a === null) return b;
    if (b === null) return a;
    return BigInt(a) < BigInt(b) === lower ? a : b;
  };
  return parts.slice(1).reduce(
    (acc, p) => ({
      rows: acc.rows + p.rows,
      checksum: (BigInt(acc.checksum) + BigInt(p.checksum)).toString(),
      mins: acc.mins.map((m, k) => pick(m, p.mins[k] ?? null, true)),
      maxs: acc.maxs.map((m, k) => pick(m, p.maxs[k] ?? null, false)),
    }),
    first,
  );
}

export function compareDigests(
  table: PlannedTable,
  source: TableDigest,
  target: TableDigest,
  seconds: number,
): TableVerification {
  const problems: string[] = [];
  if (source.rows !== target.rows)
    problems.push(`row count differs: source ${source.rows}, target ${target.rows}`);
  if (source.checksum !== target.checksum) problems.push('content checksum differs');
  const ranges = rangeColumns(table).map((c, k): RangeCheck => {
    const check = {
      column: c.name,
      source: { min: source.mins[k] ?? null, max: source.maxs[k] ?? null },
      target: { min: target.mins[k] ?? null, max: target.maxs[k] ?? null },
    };
    if (check.source.min !== check.target.min || check.source.max !== check.target.max) {
      problems.push(`min/max of "${c.name}" differ`);
    }
    return check;
  });
  return {
    table: table.name,
    sourceRows: source.rows,
    targetRows: target.rows,
    sourceChecksum: source.checksum,
    targetChecksum: target.checksum,
    ranges,
    ok: problems.length === 0,
    problems,
    seconds,
  };
}
