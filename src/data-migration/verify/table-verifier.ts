import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { PlannedTable, Chunk } from '../model/plan';
import { quoteIdent } from '../schema/sql-tokens';
import type { RawTextReader } from '../source/source-reader';
import { copyBatches } from '../load/copy-batches';
import { combineOrdered, CopyDigest, copyOut } from './copy-digest';
import { orderKey, rangeColumns, SourceDigestBuilder } from './source-digest';
import type { RangeCheck, TableVerification, TableDigest } from '../model/report';

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
    { written: 0, rejected: 0 },
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
