import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { PlannedColumn, PlannedTable } from '../plan/migration-plan';
import { quoteIdent } from '../schema/sql-tokens';
import { chunkQuery, iterateRows, type Chunk, type RawTextReader } from '../source/source-reader';
import { convertRow } from '../load/row-conversion';
import type { ColumnConverter } from '../convert/value-converter';
import {
  combineOrdered,
  OrderedDigest,
  pgOrderedDigestSql,
  pgRowDigestSql,
  rowDigest,
  rowText,
} from './row-digest';

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

/**
 * Count, checksum and min/max (canonical) of one side of a table or of one chunk of it. Tables keyed
 * by their rowid (an INTEGER PRIMARY KEY) get ordered digests: md5 over the rows' canonical texts in
 * key order, per rowid chunk, so no row needs a digest of its own. Other tables sum per-row digests.
 */
export interface TableDigest {
  rows: number;
  checksum: string;
  mins: (string | null)[];
  maxs: (string | null)[];
  /** The chunk an ordered digest covers; absent for summed digests. */
  chunk?: number;
}

const RANGE_KINDS = new Set(['smallint', 'integer', 'bigint', 'timestamptz', 'timestamp', 'date']);

function rangeColumns(t: PlannedTable): PlannedColumn[] {
  return t.columns.filter(
    (c) =>
      RANGE_KINDS.has(c.type.kind) &&
      (c.source.pkPosition > 0 || !['smallint', 'integer', 'bigint'].includes(c.type.kind)),
  );
}

/** The target column holding the source rowid, when the table's digests can follow its order. */
export function orderKey(table: PlannedTable): PlannedColumn | undefined {
  if (table.source.withoutRowid || !table.source.rowidAlias) return undefined;
  const key = table.columns.find((c) => c.source.name === table.source.rowidAlias);
  return key && ['smallint', 'integer', 'bigint'].includes(key.type.kind) ? key : undefined;
}

/** The stored rows' digest, computed by PostgreSQL in SQL (one chunk of an ordered table). */
export async function targetDigest(
  client: pg.Client,
  table: PlannedTable,
  chunk?: Chunk,
): Promise<TableDigest> {
  const ranges = rangeColumns(table);
  const canon = table.columns.map((c) => c.converter.pgCanonical(quoteIdent(c.name)));
  // The extremes of the stored values, turned into range keys once per chunk rather than per row.
  const rangeSql = ranges
    .map((c) => {
      const col = quoteIdent(c.name);
      return `, ${c.converter.pgRangeKey(`min(${col})`)}, ${c.converter.pgRangeKey(`max(${col})`)}`;
    })
    .join('');
  const key = chunk ? orderKey(table) : undefined;
  const where: string[] = [];
  const params: string[] = [];
  if (key && chunk?.lo !== null && chunk?.lo !== undefined) {
    params.push(chunk.lo.toString());
    where.push(`${quoteIdent(key.name)} >= $${params.length}`);
  }
  if (key && chunk?.hi !== null && chunk?.hi !== undefined) {
    params.push(chunk.hi.toString());
    where.push(`${quoteIdent(key.name)} <= $${params.length}`);
  }
  const plain = table.columns.map((c) => c.converter.plain);
  const checksum = key
    ? pgOrderedDigestSql(canon, quoteIdent(key.name), plain)
    : `coalesce(sum(${pgRowDigestSql(canon, plain)}), 0)::text`;
  const filter = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
  const { rows } = await client.query<(string | null)[]>({
    text: `SELECT count(*)::text, ${checksum}${rangeSql} FROM ${quoteIdent(table.name)}${filter}`,
    values: params,
    rowMode: 'array',
  });
  const r = rows[0] ?? [];
  return {
    rows: Number(r[0] ?? 0),
    checksum: r[1] ?? '0',
    mins: ranges.map((_c, k) => r[2 + 2 * k] ?? null),
    maxs: ranges.map((_c, k) => r[3 + 2 * k] ?? null),
    ...(key && chunk ? { chunk: chunk.index } : {}),
  };
}

/** Compares canonical integer texts (no leading zeros or `+`) by value. */
function compareIntText(a: string, b: string): number {
  const na = a.charCodeAt(0) === 45;
  const nb = b.charCodeAt(0) === 45;
  if (na !== nb) return na ? -1 : 1;
  const r = a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
  return na ? -r : r;
}

/**
 * Accumulates the source half of one chunk from converted rows (as the load converts them): the
 * load threads feed it while they copy, `verify` alone while it reads the source.
 */
export class SourceDigestBuilder {
  private rows = 0;
  private sum = 0n;
  private readonly ordered: OrderedDigest | undefined;
  private readonly converters: ColumnConverter[];
  private readonly plain: boolean[];
  /** Reused for every row: the canonical values of the row being added. */
  private readonly canonical: (string | null)[];
  private readonly rangeIndex: number[];
  private readonly mins: (string | null)[];
  private readonly maxs: (string | null)[];

  constructor(
    table: PlannedTable,
    private readonly chunk: Chunk,
  ) {
    const ranges = rangeColumns(table);
    this.rangeIndex = ranges.map((r) => table.columns.indexOf(r));
    this.mins = ranges.map(() => null);
    this.maxs = ranges.map(() => null);
    this.converters = table.columns.map((c) => c.converter);
    this.plain = this.converters.map((c) => c.plain);
    this.canonical = new Array<string | null>(this.converters.length).fill(null);
    this.ordered = orderKey(table) ? new OrderedDigest() : undefined;
  }

  add(converted: (string | null)[]): void {
    const converters = this.converters;
    const n = converters.length;
    const canonical = this.canonical;
    for (let i = 0; i < n; i++) {
      const v = converted[i];
      canonical[i] = v === null || v === undefined ? null : (converters[i]?.canonical(v) ?? v);
    }
    const text = rowText(canonical, this.plain);
    if (this.ordered) this.ordered.add(text);
    else this.sum += rowDigest(text);
    this.rows++;
    const rangeIndex = this.rangeIndex;
    for (let k = 0; k < rangeIndex.length; k++) {
      const index = rangeIndex[k] ?? -1;
      const v = converted[index];
      if (v === null || v === undefined) continue;
      const c = converters[index]?.rangeKey(v) ?? v;
      const lo = this.mins[k];
      const hi = this.maxs[k];
      if (lo === null || lo === undefined || compareIntText(c, lo) < 0) this.mins[k] = c;
      if (hi === null || hi === undefined || compareIntText(c, hi) > 0) this.maxs[k] = c;
    }
  }

  result(): TableDigest {
    return {
      rows: this.rows,
      checksum: this.ordered ? this.ordered.hex() : this.sum.toString(),
      mins: this.mins,
      maxs: this.maxs,
      ...(this.ordered ? { chunk: this.chunk.index } : {}),
    };
  }
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
  const builder = new SourceDigestBuilder(table, chunk);
  const { sql, params } = chunkQuery(table, chunk);
  const skip = rejected.size > 0;
  let sinceYield = 0;
  for (const row of iterateRows(db, sql, params)) {
    // Let other work on this thread (PostgreSQL traffic, progress) through while this one reads.
    if (++sinceYield === 5000) {
      sinceYield = 0;
      await new Promise((r) => setImmediate(r));
    }
    if (skip && row[0] !== null && row[0] !== undefined && rejected.has(String(row[0]))) continue;
    const converted = convertRow(table, row, raw, undefined);
    if (!Array.isArray(converted)) continue;
    builder.add(converted);
  }
  return builder.result();
}

/**
 * Digests of a table's chunks put together: counts add, min/max take the extremes, summed checksums
 * add and ordered ones combine in chunk order.
 */
export function mergeDigests(parts: TableDigest[]): TableDigest {
  const first = parts[0];
  if (!first) return { rows: 0, checksum: '0', mins: [], maxs: [] };
  const pick = (a: string | null, b: string | null, lower: boolean): string | null => {
    if (a === null) return b;
    if (b === null) return a;
    return BigInt(a) < BigInt(b) === lower ? a : b;
  };
  const ordered = parts.some((p) => p.chunk !== undefined);
  const merged = parts.slice(1).reduce(
    (acc, p) => ({
      rows: acc.rows + p.rows,
      checksum: ordered ? '' : (BigInt(acc.checksum) + BigInt(p.checksum)).toString(),
      mins: acc.mins.map((m, k) => pick(m, p.mins[k] ?? null, true)),
      maxs: acc.maxs.map((m, k) => pick(m, p.maxs[k] ?? null, false)),
    }),
    { rows: first.rows, checksum: first.checksum, mins: first.mins, maxs: first.maxs },
  );
  if (ordered) {
    const sorted = [...parts].sort((a, b) => (a.chunk ?? -1) - (b.chunk ?? -1));
    merged.checksum =
      sorted.length === 1
        ? first.checksum
        : combineOrdered(sorted.map((p) => `${p.chunk ?? '?'}:${p.checksum}`));
  }
  return merged;
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
