import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSqlite, readReport, runMigrate, runVerify, workDir } from './support/migrate-cli';
import { queryTarget } from './support/target-client';
import { migrateVerified, targetDatabases } from './support/verified-migration';

describe('migrate: NULL in a primary key that is not the rowid (--null-keys)', () => {
  const targets = targetDatabases('nullkeys');
  let dir: string;
  let source: string;
  beforeAll(() => {
    dir = workDir('nullkeys');
    source = buildSqlite('null-keys.sql', dir);
  });
  afterAll(() => targets.dropAll());

  it('stops by default before writing, naming the table, the first rowid and the options', async () => {
    const t = await targets.create();
    const report = join(dir, 'stop.json');
    const result = await runMigrate(['--source', source, '--target', t.url, '--report', report]);
    expect(result.code).toBe(1);
    expect(readReport(report).failure?.message).toBe(
      'table "legacy": 2 row(s) with a NULL in primary-key column "id", first at rowid 2 (SQLite allows NULL in a key that is not INTEGER PRIMARY KEY): fix the source, run with --null-keys rowid (each NULL filled from its rowid, listed in the report) or run with --null-keys reject (or --on-error reject) to set them aside',
    );
    expect(
      await queryTarget(
        t.url,
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
      ),
    ).toEqual([]);
  });

  it('--null-keys rowid: each NULL key filled from its rowid, reported, verified (also by verify alone)', async () => {
    const t = await targets.create();
    const json = await migrateVerified(source, t.url, join(dir, 'rowid.json'), 0, ['--null-keys', 'rowid']);
    expect(json.filledKeys).toEqual([{ table: 'legacy', column: 'id', rows: 2 }]);
    expect(await queryTarget(t.url, `SELECT id::int, name FROM legacy ORDER BY id`)).toEqual([
      { id: 1, name: 'one' },
      { id: 2, name: 'two' },
      { id: 3, name: 'three' },
      { id: 5, name: 'five' },
    ]);
    expect((await runVerify(source, t.url, join(dir, 'rowid-verify.json'))).code).toBe(0);
  });

  it('--null-keys reject: those rows set aside whatever --on-error says, exit 3, verified', async () => {
    const t = await targets.create();
    const report = join(dir, 'reject.json');
    await migrateVerified(source, t.url, report, 3, ['--null-keys', 'reject']);
    const rejected = readFileSync(join(`${report}.rejects`, 'legacy.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { rowid: string; column: string; reason: string });
    expect(rejected.map((r) => [r.rowid, r.column, r.reason])).toEqual([
      ['2', 'id', 'NULL in a NOT NULL bigint column'],
      ['3', 'id', 'NULL in a NOT NULL bigint column'],
    ]);
    expect(await queryTarget(t.url, `SELECT id::int FROM legacy ORDER BY id`)).toEqual([
      { id: 1 },
      { id: 5 },
    ]);
  });
});
