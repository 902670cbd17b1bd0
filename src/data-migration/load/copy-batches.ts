import type Database from 'better-sqlite3';
import type { PlannedTable, Chunk, OnError, BadRow } from '../model/plan';
import { chunkRows, type RawTextReader } from '../source/source-reader';
import type { SourceDigestBuilder } from '../verify/source-digest';
import { copyLine } from './copy-text';
import { BadRowError, convertRow, rowIdentity } from './row-conversion';

// Rows are joined (natively) into one buffer per batch of about this many characters.
const BATCH_CHARS = 256 * 1024;
// Rejected rows are handed on in groups of at most this many, so a chunk of bad rows never sits in
// memory whole (each record keeps the row's values: ~4 KB of heap).
export const REJECT_BATCH = 1000;

export class AbortedError extends Error {}

export interface BatchInput {
  db: Database.Database;
  raw: RawTextReader;
  onError: OnError;
  orphans: Map<string, { column: string; reason: string }> | undefined;
  /** Leave to PostgreSQL the checks its input functions make anyway (ColumnConverter.convertTrusted). */
  trusted: boolean;
  digest: SourceDigestBuilder | undefined;
  /** Rows to leave out by `rowIdentity` (verification of a run that rejected them). */
  skip?: Set<string>;
  /** Called with the number of rows read since the last call. */
  onRows(rows: number): void;
  aborted(): boolean;
}

export interface BatchTally {
  written: number;
  rejected: number;
}

/** A piece of a chunk: the COPY text of some good rows (if any) and the rows rejected among them. */
export interface CopyBatch {
  text: Buffer | undefined;
  rejects: BadRow[];
}

/**
 * The COPY text of one chunk's good rows, in batches; a bad row stops it (`stop`) or goes into the
 * batch's `rejects` (`reject`). A batch is handed on once it holds BATCH_CHARS of text or
 * REJECT_BATCH rejected rows, so memory is bounded however many rows are bad.
 */
export function* copyBatches(
  input: BatchInput,
  table: PlannedTable,
  chunk: Chunk,
  tally: BatchTally,
): Generator<CopyBatch> {
  const plain = table.columns.map((c) => c.converter.plain);
  const cells: string[] = new Array<string>(table.columns.length);
  const skip = input.skip !== undefined && input.skip.size > 0 ? input.skip : undefined;
  let lines: string[] = [];
  let rejects: BadRow[] = [];
  let chars = 0;
  let rowsRead = 0;
  const take = (): CopyBatch => {
    input.onRows(rowsRead);
    rowsRead = 0;
    const out = { text: lines.length > 0 ? joinLines(lines, input.digest) : undefined, rejects };
    lines = [];
    rejects = [];
    chars = 0;
    return out;
  };
  for (const row of chunkRows(input.db, table, chunk)) {
    rowsRead++;
    if (skip && skip.has(rowIdentity(table, row) ?? '')) continue;
    const converted = convertRow(table, row, input.raw, input.orphans, input.trusted);
    if (!Array.isArray(converted)) {
      if (input.onError === 'stop' && !converted.setAside) throw new BadRowError(converted);
      rejects.push(converted);
      tally.rejected++;
    } else {
      const line = copyLine(converted, plain, cells);
      lines.push(line);
      chars += line.length + 1;
      tally.written++;
      input.digest?.add(converted);
    }
    if (chars >= BATCH_CHARS || rejects.length >= REJECT_BATCH) {
      if (input.aborted()) throw new AbortedError('aborted');
      yield take();
    }
  }
  const last = take();
  if (last.text || last.rejects.length > 0) yield last;
}

/** The COPY text of lines, each ending in a newline, also fed to the digest. */
function joinLines(lines: string[], digest: SourceDigestBuilder | undefined): Buffer {
  lines.push('');
  const buffer = Buffer.from(lines.join('\n'), 'utf8');
  digest?.addCopyText(buffer);
  return buffer;
}
