import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/data-source-options';

// SQLite syncs every commit (synchronous=FULL) whether the file is new or already in WAL mode, so a
// restarted service is as durable as a fresh one (and as PostgreSQL with synchronous_commit on).
describe('SQLite durability', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pgmove-durability-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs WAL with synchronous=FULL on a fresh file and after a restart', async () => {
    const path = join(dir, 'app.sqlite');
    for (const start of ['fresh', 'restart']) {
      const ds = await new DataSource(buildDataSourceOptions({ kind: 'sqlite', path })).initialize();
      try {
        const [{ synchronous }] = await ds.query<{ synchronous: number }[]>('PRAGMA synchronous');
        const [{ journal_mode }] = await ds.query<{ journal_mode: string }[]>('PRAGMA journal_mode');
        expect([start, journal_mode, synchronous]).toEqual([start, 'wal', 2]);
        await ds.query('CREATE TABLE IF NOT EXISTS t (x integer)');
      } finally {
        await ds.destroy();
      }
    }
  });
});
