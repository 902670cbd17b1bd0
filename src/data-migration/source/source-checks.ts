import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { OrphanIndex } from '../load/row-conversion';
import { findOrphans } from './foreign-key-orphans';
import { openSource } from './source-reader';
import type { SourceSchema } from './sqlite-schema';

export type SourceCheckRequest =
  { check: 'integrity'; path: string } | { check: 'orphans'; path: string; schema: SourceSchema };

type Result<R extends SourceCheckRequest> = R extends { check: 'integrity' } ? string : OrphanIndex;

/** `PRAGMA quick_check` joined into one line ('ok' when sound), or every FK orphan of every table. */
export function runSourceCheck<R extends SourceCheckRequest>(request: R): Result<R> {
  const db = openSource(request.path);
  try {
    if (request.check === 'integrity') {
      return (db.pragma('quick_check') as { quick_check: string }[])
        .map((r) => r.quick_check)
        .join('; ') as Result<R>;
    }
    const all = new Set(request.schema.tables.map((t) => t.name));
    return findOrphans(db, request.schema, all).index as Result<R>;
  } finally {
    db.close();
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
  return new Promise<Result<R>>((resolve, reject) => {
    const worker = new Worker(script, { workerData: request });
    worker.once('message', (m: { result?: Result<R>; error?: string }) => {
      if (m.error === undefined) resolve(m.result as Result<R>);
      else reject(new Error(m.error));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`source check thread exited (code ${code})`)));
  });
}

/** The orphans of the tables being migrated, and how many rows they are. */
export function orphansOf(index: OrphanIndex, tables: Set<string>): { index: OrphanIndex; count: number } {
  const kept: OrphanIndex = new Map([...index].filter(([table]) => tables.has(table)));
  let count = 0;
  for (const rows of kept.values()) count += rows.size;
  return { index: kept, count };
}
