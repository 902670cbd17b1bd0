import { openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { readReport, runMigrate, sha256, workDir } from './support/migrate-cli';

// The integrity check runs on its own thread while the run sets up; a damaged file must still stop
// the run before anything is created in the target.
describe('migrate: damaged source file', () => {
  let target: TestDatabase;
  let source: string;
  let dir: string;

  beforeAll(async () => {
    dir = workDir('corrupt');
    source = join(dir, 'damaged.sqlite');
    const db = new Database(source);
    db.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO items (name) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 5000; i++) insert.run(`item number ${i} with some text to fill pages`);
    })();
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.close();
    // Garbage over a b-tree page in the middle of the table: the header and schema stay readable.
    const fd = openSync(source, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, pageSize * 10);
    closeSync(fd);
    target = await createTestDatabase('corrupt');
  });
  afterAll(async () => {
    await target.drop();
  });

  it('exits 1 naming the failed integrity check; no table created, source untouched', async () => {
    const before = sha256(source);
    const report = join(dir, 'report.json');
    const result = await runMigrate(['--source', source, '--target', target.url, '--report', report]);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toMatch(/fails PRAGMA quick_check/);
    expect(readReport(report).status).toBe('failed');
    expect(sha256(source)).toBe(before);
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'items'`,
      );
      expect(rows[0]?.n).toBe('0');
    } finally {
      await client.end();
    }
  });
});
