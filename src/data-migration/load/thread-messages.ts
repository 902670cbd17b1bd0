import type { PostgresSettings } from '../../config/app-config';
import type { PlainTable } from '../plan/plain-table';
import type { Chunk, OnError, BadRow } from '../model/plan';
import type { ChunkResult } from './chunk-loader';
import type { TableDigest } from '../model/report';

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
