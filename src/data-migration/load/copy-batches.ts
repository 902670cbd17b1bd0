import type Database from 'better-sqlite3';
import type { PlannedTable, Chunk, OnError, BadRow } from '../model/plan';
import { chunkRows, type RawTextReader } from '../source/source-reader';
import type { SourceDigestBuilder } from '../verify/source-digest';
import { copyLine } from './copy-text';
import { BadRowError, convertRow, rowIdentity } from './row-conversion';

// Rows are joined (natively) into one buffer per batch of about this many characters.
const BATCH_CHARS = 256 * 1024;

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
  rejects: BadRow[];
}

/** The COPY text of one chunk's good rows, as buffers; bad rows stop it or go to `tally.rejects`. */
export function* copyBatches(
  input: BatchInput,
  table: PlannedTable,
  chunk: Chunk,
  tally: BatchTally,
): Generator<Buffer> {
  const plain = table.columns.map((c) => c.converter.plain);
  const cells: string[] = new Array<string>(table.columns.length);
  const skip = input.skip !== undefined && input.skip.size > 0 ? input.skip : undefined;
  let lines: string[] = [];
  let chars = 0;
  let rowsRead = 0;
  for (const row of chunkRows(input.db, table, chunk)) {
    rowsRead++;
    if (skip && skip.has(rowIdentity(table, row) ?? '')) continue;
    const converted = convertRow(table, row, input.raw, input.orphans, input.trusted);
    if (!Array.isArray(converted)) {
      if (input.onError === 'stop' && !converted.setAside) throw new BadRowError(converted);
      tally.rejects.push(converted);
      continue;
    }
    const line = copyLine(converted, plain, cells);
    lines.push(line);
    chars += line.length + 1;
    tally.written++;
    input.digest?.add(converted);
    if (chars >= BATCH_CHARS) {
      if (input.aborted()) throw new AbortedError('aborted');
      input.onRows(rowsRead);
      rowsRead = 0;
      yield batch(lines, input.digest);
      lines = [];
      chars = 0;
    }
  }
  input.onRows(rowsRead);
  if (lines.length > 0) yield batch(lines, input.digest);
}

/** The COPY text of lines, each ending in a newline, also fed to the digest. */
function batch(lines: string[], digest: SourceDigestBuilder | undefined): Buffer {
  lines.push('');
  const buffer = Buffer.from(lines.join('\n'), 'utf8');
  digest?.addCopyText(buffer);
  return buffer;
}
