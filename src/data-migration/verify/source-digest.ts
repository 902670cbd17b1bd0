import type { PlannedColumn, PlannedTable, Chunk, ColumnConverter } from '../model/plan';
import type { TableDigest } from '../model/report';
import { CopyDigest } from './copy-digest';

export const INT_KINDS: string[] = ['smallint', 'integer', 'bigint'];
const RANGE_KINDS = new Set([...INT_KINDS, 'timestamptz', 'timestamp', 'date']);

export function rangeColumns(t: PlannedTable): PlannedColumn[] {
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
