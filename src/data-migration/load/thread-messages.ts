import type { PostgresSettings } from '../../config/app-config';
import type { PlainTable } from '../plan/plain-table';
import type { Chunk } from '../source/source-reader';
import type { ChunkResult, OnError } from './chunk-loader';
import type { BadRow } from './row-conversion';
import type { TableDigest } from '../verify/table-verifier';

export interface WorkerSettings {
  sourcePath: string;
  target: PostgresSettings;
  runId: string;
  onError: OnError;
  sourceZone?: string;
}

export type ToWorker =
  | {
      type: 'chunk';
      table: PlainTable;
      chunk: Chunk;
      orphans?: Map<string, { column: string; reason: string }>;
      digest: boolean;
    }
  | { type: 'verify'; table: PlainTable; chunk: Chunk; rejected: Set<string> }
  | { type: 'abort' }
  | { type: 'close' };

export type FromWorker =
  | { type: 'rows'; rows: number }
  | { type: 'done'; result: ChunkResult }
  | { type: 'digest'; digest: TableDigest }
  | { type: 'error'; message: string; bad?: BadRow; aborted: boolean };
