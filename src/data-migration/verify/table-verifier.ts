import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { PlannedColumn, PlannedTable, Chunk, ColumnConverter } from '../model/plan';
import { quoteIdent } from '../schema/sql-tokens';
import type { RawTextReader } from '../source/source-reader';
import { copyBatches } from '../load/copy-batches';
import { combineOrdered, CopyDigest, copyOut } from './copy-digest';
import type { RangeCheck, TableVerification, TableDigest } from '../model/report';

const INT_KINDS: string[] = ['smallint', 'integer', 'bigint'];
const RANGE_KINDS = new Set([...INT_KINDS, 'timestamptz', 'timestamp', 'date']);

function rangeColumns(t: PlannedTable): PlannedColumn[] {
  return t.columns.filter(
    (c) => RANGE_KINDS.has(c.type.kind) && (c.source.pkPosition > 0 || !INT_KINDS.includes(c.type.kind)),
  );
}

/** The target column holding the source rowid, when the table's digests can follow its order. */
export function orderKey(table: PlannedTable): PlannedColumn | undefined {
  if (table.source.withoutRowid || !table.source.rowidAlias) return undefined;
  const key = table.columns.find((c) => c.source.name === table.source.rowidAlias);
  return key && INT_KINDS.includes(key.type.kind) ? key : undefined;
}

/**
 * The stored rows' digest: their COPY text as PostgreSQL prints it (the client in READBACK_SESSION),
 * one chunk of an ordered table in key order, or a whole keyless table. Ranges come from targetRanges.
 */
export async function targetDigest(
  client: pg.Client,
  table: PlannedTable,
  chunk?: Chunk,
): Promise<TableDigest> {
  const key = chunk ? orderKey(table) : undefined;
  const where: string[] = [];
  if (key && chunk?.lo !== null && chunk?.lo !== undefined)
    where.push(`${quoteIdent(key.name)} >= ${chunk.lo.toString()}`);
  if (key && chunk?.hi !== null && chunk?.hi !== undefined)
    where.push(`${quoteIdent(key.name)} <= ${chunk.hi.toString()}`);
  const columns = table.columns.map((c) => quoteIdent(c.name)).join(', ');
  const filter = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
  const order = key ? ` ORDER BY ${quoteIdent(key.name)}` : '';
  const digest = new CopyDigest(key !== undefined);
  await copyOut(client, `SELECT ${columns} FROM ${quoteIdent(table.name)}${filter}${order}`, (piece) =>
    digest.add(piece),
  );
  return {
    ...digest.result(),
    mins: [],
    maxs: [],
    ...(key && chunk ? { chunk: chunk.index } : {}),
  };
}

/** The extremes of the stored values of a table's range columns, as range keys. */
export async function targetRanges(
  client: pg.Client,
  table: PlannedTable,
): Promise<Pick<TableDigest, 'mins' | 'maxs'>> {
  const ranges = rangeColumns(table);
  if (ranges.length === 0) return { mins: [], maxs: [] };
  const select = ranges.map((c) => {
    const col = quoteIdent(c.name);
    return `${c.converter.pgRangeKey(`min(${col})`)}, ${c.converter.pgRangeKey(`max(${col})`)}`;
  });
  const { rows } = await client.query<(string | null)[]>({
    text: `SELECT ${select.join(', ')} FROM ${quoteIdent(table.name)}`,
    rowMode: 'array',
  });
  const r = rows[0] ?? [];
  return { mins: ranges.map((_c, k) => r[2 * k] ?? null), maxs: ranges.map((_c, k) => r[2 * k + 1] ?? null) };
}

/** Compares canonical integer texts (no leading zeros or `+`) by value. */
function compareIntText(a: string, b: string): number {
  const na = a.charCodeAt(0) === 45;
  const nb = b.charCodeAt(0) === 45;
  if (na !== nb) return na ? -1 : 1;
  const r = a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
  return na ? -r : r;
}

// Converted dates and instants (years 0001–9999, always in UTC) order as text.
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Accumulates the source half of one chunk as the load writes it: the digest of its COPY text and
 * the extremes of its range columns. The load threads feed it while they copy, `verify` alone while
 * it reads the source.
 */
export class SourceDigestBuilder {
  private readonly copy: CopyDigest;
  private readonly converters: ColumnConverter[];
  private readonly rangeIndex: number[];
  private readonly compare: ((a: string, b: string) => number)[];
  /** Converted values (not yet range keys) of the extremes so far. */
  private readonly mins: (string | null)[];
  private readonly maxs: (string | null)[];

  constructor(
    table: PlannedTable,
    private readonly chunk: Chunk,
  ) {
    const ranges = rangeColumns(table);
    this.rangeIndex = ranges.map((r) => table.columns.indexOf(r));
    this.compare = ranges.map((r) => (INT_KINDS.includes(r.type.kind) ? compareIntText : compareText));
    this.mins = ranges.map(() => null);
    this.maxs = ranges.map(() => null);
    this.converters = table.columns.map((c) => c.converter);
    this.copy = new CopyDigest(orderKey(table) !== undefined);
  }

  /** A written row's converted values (for the ranges). */
  add(converted: (string | null)[]): void {
    const rangeIndex = this.rangeIndex;
    for (let k = 0; k < rangeIndex.length; k++) {
      const v = converted[rangeIndex[k] ?? -1];
      if (v === null || v === undefined) continue;
      const compare = this.compare[k] ?? compareText;
      const lo = this.mins[k];
      const hi = this.maxs[k];
      if (lo === null || lo === undefined || compare(v, lo) < 0) this.mins[k] = v;
      if (hi === null || hi === undefined || compare(v, hi) > 0) this.maxs[k] = v;
    }
  }

  /** COPY text of written rows, in the order written. */
  addCopyText(piece: Buffer): void {
    this.copy.add(piece);
  }

  result(): TableDigest {
    const key = (k: number, v: string | null): string | null =>
      v === null ? null : (this.converters[this.rangeIndex[k] ?? -1]?.rangeKey(v) ?? v);
    return {
      ...this.copy.result(),
      mins: this.mins.map((v, k) => key(k, v)),
      maxs: this.maxs.map((v, k) => key(k, v)),
      ...(this.copy.ordered ? { chunk: this.chunk.index } : {}),
    };
  }
}

/**
 * The source rows' digest, computed here from the SQLite file: the COPY text the load writes for
 * them, minus the rows the run rejected.
 */
export async function sourceDigest(
  db: Database.Database,
  raw: RawTextReader,
  table: PlannedTable,
  rejected: Set<string>,
  chunk: Chunk = { index: 0, lo: null, hi: null, rows: 0 },
): Promise<TableDigest> {
  const builder = new SourceDigestBuilder(table, chunk);
  const batches = copyBatches(
    {
      db,
      raw,
      onError: 'reject',
      orphans: undefined,
      trusted: false,
      digest: builder,
      skip: rejected,
      onRows: () => undefined,
      aborted: () => false,
    },
    table,
    chunk,
    { written: 0, rejects: [] },
  );
  // Let other work on this thread (PostgreSQL traffic, progress) through between batches.
  for (const _batch of batches) await new Promise((r) => setImmediate(r));
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
