import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { buildPlan } from '../plan/migration-plan';
import { readSqliteSchema } from '../source/sqlite-schema';
import { ThreadLoader } from './thread-loader';

// A thread that ends at its first task, as one does when it reaches its heap limit.
const DYING_WORKER = `require('node:worker_threads').parentPort.on('message', () => process.exit(7));`;

describe('ThreadLoader when its thread ends under it', () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  const table = buildPlan(db, readSqliteSchema(db), new Map(), { skipTables: [] }).tables[0];
  const script = join(mkdtempSync(join(tmpdir(), 'pgmove-thread-')), 'dying-worker.js');
  writeFileSync(script, DYING_WORKER);
  const settings = {
    sourcePath: ':memory:',
    target: { host: '127.0.0.1', port: 1, database: 'x', user: 'x', password: '' },
    runId: '1',
    onError: 'reject' as const,
  };
  afterAll(() => db.close());

  it('fails the chunk, refuses the next one and closes at once (the run ends instead of waiting)', async () => {
    if (!table) throw new Error('no table planned');
    const loader = new ThreadLoader(script, settings as never);
    const chunk = { index: 0, lo: null, hi: null, rows: 0 };
    await expect(loader.load(table, chunk, new Map(), () => undefined)).rejects.toThrow(
      'load thread exited (code 7)',
    );
    await expect(loader.digest(table, chunk, new Set())).rejects.toThrow('already exited');
    await loader.close();
  }, 10_000);
});
