import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { OrphanSearch } from '../model/plan';
import { findOrphans } from './foreign-key-orphans';
import { SourceHandle } from './source-handle';
import { threadResult } from './thread-result';
import type { SourceSchema } from '../model/catalog';

export type SourceCheckRequest =
  { check: 'integrity'; path: string } | { check: 'orphans'; path: string; schema: SourceSchema };

type Result<R extends SourceCheckRequest> = R extends { check: 'integrity' } ? string : OrphanSearch;

/** `PRAGMA quick_check` joined into one line ('ok' when sound), or every FK orphan of every table. */
export function runSourceCheck<R extends SourceCheckRequest>(request: R): Result<R> {
  const source = new SourceHandle(request.path);
  const db = source.db;
  try {
    if (request.check === 'integrity') {
      return (db.pragma('quick_check') as { quick_check: string }[])
        .map((r) => r.quick_check)
        .join('; ') as Result<R>;
    }
    const all = new Set(request.schema.tables.map((t) => t.name));
    const { index, byForeignKey } = findOrphans(db, request.schema, all);
    return { index, byForeignKey } as Result<R>;
  } finally {
    source.close();
  }
}

/**
 * Runs a whole-file check on its own thread: each reads the entire file, so the integrity check,
 * the orphan search and the file hash overlap instead of running one after the other. Without a
 * built worker script (tests on the sources) the check runs here.
 */
export function startSourceCheck<R extends SourceCheckRequest>(request: R): Promise<Result<R>> {
  const script = typeof __dirname === 'string' ? join(__dirname, 'check-worker.js') : undefined;
  if (!script || !existsSync(script)) {
    try {
      return Promise.resolve(runSourceCheck(request));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
  return threadResult<Result<R>>(new Worker(script, { workerData: request }), 'source check');
}

/** The orphans of the tables being migrated, and how many rows they are. */
export function orphansOf(found: OrphanSearch, tables: Set<string>): OrphanSearch & { count: number } {
  const index = new Map([...found.index].filter(([table]) => tables.has(table)));
  const byForeignKey = new Map(
    [...found.byForeignKey].filter(([id]) => tables.has(id.slice(0, id.lastIndexOf('\u0000')))),
  );
  let count = 0;
  for (const rows of index.values()) count += rows.size;
  return { index, byForeignKey, count };
}
