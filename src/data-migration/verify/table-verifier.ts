import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { PlannedColumn, PlannedTable } from '../plan/migration-plan';
import { quoteIdent } from '../schema/sql-tokens';
import { chunkQuery, iterateRows, type RawTextReader } from '../source/source-reader';
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

const RANGE_KINDS = new Set(['smallint', 'integer', 'bigint', 'timestamptz', 'timestamp', 'date']);

function rangeColumns(t: PlannedTable): PlannedColumn[] {
  return t.columns.filter(
    (c) =>
      RANGE_KINDS.has(c.type.kind) &&
      (c.source.pkPosition > 0 || !['smallint', 'integer', 'bigint'].includes(c.type.kind)),
  );
}

/**
 * Counts and a content checksum over canonical values, computed independently from the source file
 * (in Node) and from the stored rows (in SQL), plus min/max of key and date columns.
 */
export async function verifyTable(
  client: pg.Client,
  db: Database.Database,
  raw: RawTextReader,
  table: PlannedTable,
  rejected: Set<string>,
): Promise<TableVerification> {
  const started = Date.now();
  const ranges = rangeColumns(table);
  const canon = table.columns.map((c) => c.converter.pgCanonical(quoteIdent(c.name)));
  const rangeSql = ranges
    .map((c) => {
      const e = c.converter.pgCanonical(quoteIdent(c.name));
      return `min((${e})::numeric)::text, max((${e})::numeric)::text`;
    })
    .join(', ');
  // Started first so PostgreSQL works while this process reads the source.
  const targetQuery = client.query<string[]>({
    text: `SELECT count(*)::text, coalesce(sum(${pgRowDigestSql(canon)}), 0)::text${rangeSql ? ', ' + rangeSql : ''} FROM ${quoteIdent(table.name)}`,
    rowMode: 'array',
  });
  targetQuery.catch(() => undefined);

  let sourceRows = 0;
  let sum = 0n;
  const mins: (bigint | null)[] = ranges.map(() => null);
  const maxs: (bigint | null)[] = ranges.map(() => null);
  const rangeIndex = ranges.map((r) => table.columns.indexOf(r));
  const { sql, params } = chunkQuery(table, { index: 0, lo: null, hi: null, rows: 0 });
  let sinceYield = 0;
  for (const row of iterateRows(db, sql, params)) {
    // Let the other jobs' PostgreSQL traffic through while this one reads.
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
    sourceRows++;
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
  const result = (await targetQuery).rows[0] ?? [];
  const targetRows = Number(result[0] ?? 0);
  const targetChecksum = result[1] ?? '0';
  const sourceChecksum = sum.toString();
  const problems: string[] = [];
  if (sourceRows !== targetRows)
    problems.push(`row count differs: source ${sourceRows}, target ${targetRows}`);
  if (sourceChecksum !== targetChecksum) problems.push('content checksum differs');
  const rangeChecks = ranges.map((c, k): RangeCheck => {
    const check = {
      column: c.name,
      source: { min: mins[k]?.toString() ?? null, max: maxs[k]?.toString() ?? null },
      target: { min: result[2 + 2 * k] ?? null, max: result[3 + 2 * k] ?? null },
    };
    if (check.source.min !== check.target.min || check.source.max !== check.target.max) {
      problems.push(`min/max of "${c.name}" differ`);
    }
    return check;
  });
  return {
    table: table.name,
    sourceRows,
    targetRows,
    sourceChecksum,
    targetChecksum,
    ranges: rangeChecks,
    ok: problems.length === 0,
    problems,
    seconds: (Date.now() - started) / 1000,
  };
}
