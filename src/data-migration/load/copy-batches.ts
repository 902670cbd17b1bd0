import type Database from 'better-sqlite3';
import type { PlannedTable } from '../plan/migration-plan';
import { chunkQuery, iterateRows, type Chunk, type RawTextReader } from '../source/source-reader';
import type { SourceDigestBuilder } from '../verify/table-verifier';
import { escapeCopy } from './copy-text';
import type { OnError } from './chunk-loader';
import { BadRowError, convertRow, type BadRow } from './row-conversion';

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
  const { sql, params } = chunkQuery(table, chunk);
  const n = table.columns.length;
  const plain = table.columns.map((c) => c.converter.plain);
  const cells: string[] = new Array<string>(n);
  let lines: string[] = [];
  let chars = 0;
  let rowsRead = 0;
  for (const row of iterateRows(input.db, sql, params)) {
    rowsRead++;
    const converted = convertRow(table, row, input.raw, input.orphans, input.trusted);
    if (!Array.isArray(converted)) {
      if (input.onError === 'stop') throw new BadRowError(converted);
      tally.rejects.push(converted);
      continue;
    }
    for (let i = 0; i < n; i++) {
      const v = converted[i];
      cells[i] = v === null || v === undefined ? '\\N' : plain[i] ? v : escapeCopy(v);
    }
    const line = cells.join('\t');
    lines.push(line);
    chars += line.length + 1;
    tally.written++;
    input.digest?.add(converted);
    if (chars >= BATCH_CHARS) {
      if (input.aborted()) throw new AbortedError('aborted');
      input.onRows(rowsRead);
      rowsRead = 0;
      lines.push('');
      yield Buffer.from(lines.join('\n'), 'utf8');
      lines = [];
      chars = 0;
    }
  }
  input.onRows(rowsRead);
  if (lines.length > 0) {
    lines.push('');
    yield Buffer.from(lines.join('\n'), 'utf8');
  }
}
