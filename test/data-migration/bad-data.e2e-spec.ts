import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { compareDatabases } from './support/compare-databases';
import { buildSqlite, readReport, runMigrate, sha256, workDir, type AnyRow } from './support/migrate-cli';

const BAD = new Map([
  ['101', 't'],
  ['102', 't'],
  ['103', 'n'],
  ['104', 'n'],
  ['105', 'd'],
  ['106', 'b'],
  ['107', 'j'],
  ['108', 'price'],
  ['109', 'code'],
  ['110', 'parent_id'],
]);

describe('migrate: bad data', () => {
  const targets: TestDatabase[] = [];
  let dir: string;
  let source: string;

  beforeAll(() => {
    dir = workDir('bad');
    source = buildSqlite('bad-data.sql', dir);
  });
  afterAll(async () => {
    for (const t of targets) await t.drop();
  });

  async function target(): Promise<TestDatabase> {
    const t = await createTestDatabase('bad');
    targets.push(t);
    return t;
  }

  it('--on-error stop (default): exit 1 naming the table, row and column of the FK orphan, nothing loaded', async () => {
    const t = await target();
    const report = join(dir, 'stop.json');
    const before = sha256(source);
    const result = await runMigrate(['--source', source, '--target', t.url, '--report', report]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/table "Mixed Bag", rowid 110, column "parent_id": foreign key orphan/);
    expect(readReport(report).status).toBe('failed');
    expect(sha256(source)).toBe(before);
    // Nothing loaded: no table of the source, and no bookkeeping either, exists on the target.
    const client = new pg.Client({ connectionString: t.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>(
        `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
          WHERE table_schema NOT IN ('pg_catalog', 'information_schema')`,
      );
      expect(rows).toEqual([]);
    } finally {
      await client.end();
    }
  });

  it.each([...BAD.entries()].filter(([rowid]) => rowid !== '110'))(
    'stop on bad row %s: exit 1 naming "Mixed Bag", the rowid and column %s; no table looks complete',
    async (rowid, column) => {
      // A copy holding only the good rows and this one bad row.
      const copy = join(dir, `only-${rowid}.sqlite`);
      const db = new Database(source, { readonly: true });
      await db.backup(copy);
      db.close();
      const edit = new Database(copy);
      edit.prepare(`DELETE FROM "Mixed Bag" WHERE id > 100 AND id <> ?`).run(Number(rowid));
      edit.prepare(`DELETE FROM child WHERE bag_id NOT IN (SELECT id FROM "Mixed Bag")`).run();
      edit.close();
      const t = await target();
      const report = join(dir, `stop-${rowid}.json`);
      const result = await runMigrate(['--source', copy, '--target', t.url, '--report', report]);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(`table "Mixed Bag", rowid ${rowid}, column "${column}"`);
      const json = readReport(report);
      expect(json.failure?.badRow).toMatchObject({ table: 'Mixed Bag', rowid, column });
      const client = new pg.Client({ connectionString: t.url });
      await client.connect();
      try {
        const rows = await client.query<AnyRow>(`SELECT count(*)::int AS n FROM "Mixed Bag"`);
        expect(rows.rows[0].n).toBe(0);
        const run = await client.query<AnyRow>(`SELECT status FROM data_migration_runs`);
        expect(run.rows).toEqual([{ status: 'failed' }]);
      } finally {
        await client.end();
      }
    },
  );

  it('--on-error reject: loads exactly the good rows, lists exactly the bad ones, exit 3', async () => {
    const t = await target();
    const report = join(dir, 'reject.json');
    const before = sha256(source);
    const result = await runMigrate([
      '--source',
      source,
      '--target',
      t.url,
      '--report',
      report,
      '--on-error',
      'reject',
    ]);
    expect(result.code).toBe(3);
    expect(sha256(source)).toBe(before);
    const json = readReport(report);
    expect(json.status).toBe('rejected');
    expect(json.verification?.ok).toBe(true);

    const rejectsDir = `${report}.rejects`;
    expect(readdirSync(rejectsDir).sort()).toEqual(['Mixed Bag.jsonl', 'child.jsonl']);
    const lines = readFileSync(join(rejectsDir, 'Mixed Bag.jsonl'), 'utf8').trim().split('\n');
    const records = lines.map(
      (l) =>
        JSON.parse(l) as {
          table: string;
          rowid: string;
          column: string;
          reason: string;
          values: Record<string, unknown>;
        },
    );
    expect(new Map(records.map((r) => [r.rowid, r.column]))).toEqual(BAD);
    for (const r of records) {
      expect(r.table).toBe('Mixed Bag');
      expect(r.reason).not.toBe('');
      expect(r.values.id).toBe(Number(r.rowid));
    }
    expect(records.find((r) => r.rowid === '102')?.values.t).toEqual({
      base64: Buffer.from([0x61, 0xc3, 0x28, 0xff]).toString('base64'),
    });
    expect(records.find((r) => r.rowid === '101')?.values.t).toBe('a\u0000b');

    const children = readFileSync(join(rejectsDir, 'child.jsonl'), 'utf8').trim().split('\n');
    expect(children.map((l) => JSON.parse(l) as { rowid: string; column: string; reason: string })).toEqual([
      expect.objectContaining({
        rowid: '2',
        column: 'bag_id',
        reason: expect.stringMatching(/parent row .* was rejected/) as string,
      }),
    ]);

    const client = new pg.Client({ connectionString: t.url });
    await client.connect();
    try {
      const kids = await client.query<AnyRow>(`SELECT id::int FROM child`);
      expect(kids.rows).toEqual([{ id: 1 }]);
      const ids = await client.query<AnyRow>(`SELECT id::int FROM "Mixed Bag" ORDER BY id`);
      expect(ids.rows.map((r) => Number(r.id))).toEqual([1, 2, 3, 4, 5]);
      const run = await client.query(
        `SELECT status, rows_written::int AS w, rows_rejected::int AS r FROM data_migration_runs`,
      );
      expect(run.rows).toEqual([{ status: 'rejected', w: 8, r: 11 }]);
    } finally {
      await client.end();
    }
    const exclude = new Map([
      ['Mixed Bag', new Set(BAD.keys())],
      ['child', new Set(['2'])],
    ]);
    expect(await compareDatabases(source, t.url, { exclude })).toEqual([]);
  });
});
