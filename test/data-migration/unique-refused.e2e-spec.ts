import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareDatabases } from './support/compare-databases';
import { buildSqlite, readReport, runMigrate, runVerify, workDir } from './support/migrate-cli';
import { queryTarget } from './support/target-client';
import { migrateVerified, targetDatabases } from './support/verified-migration';

describe('migrate: a unique index PostgreSQL refuses', () => {
  const targets = targetDatabases('unique');
  let dir: string;
  let source: string;
  beforeAll(() => {
    dir = workDir('unique');
    source = buildSqlite('unique-refused.sql', dir);
  });
  afterAll(() => targets.dropAll());

  it('fails the run under --on-error stop, naming the index, the duplicate and the way out', async () => {
    const t = await targets.create();
    const report = join(dir, 'stop.json');
    const result = await runMigrate(['--source', source, '--target', t.url, '--report', report]);
    expect(result.code).toBe(1);
    expect(readReport(report).failure?.message).toMatch(
      /^cannot add unique "(events_at" on "events|tags_code_key" on "tags)": could not create unique index .* \(Key \((at|code)\)=\(.*\) is duplicated\.\)\. .*--on-error reject/s,
    );
    expect(readReport(report).notCarried).toEqual([]);
  });

  it('--on-error reject: the later duplicates set aside, the index built, exit 3, verified', async () => {
    const t = await targets.create();
    const report = join(dir, 'reject.json');
    await migrateVerified(source, t.url, report, 3, ['--on-error', 'reject']);
    const rejected = (table: string): [string, string, string][] =>
      readFileSync(join(`${report}.rejects`, `${table}.jsonl`), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { rowid: string; column: string; reason: string })
        .map((r) => [r.rowid, r.column, r.reason]);
    const reason = (index: string): string =>
      `duplicate under unique index "${index}": an earlier row (in key order) has the same value`;
    expect(rejected('events').sort()).toEqual([
      ['2', 'at', reason('events_at')],
      ['4', 'at', reason('events_at')],
    ]);
    expect(rejected('tags')).toEqual([['2', 'code', reason('tags_code_key')]]);
    expect(
      await queryTarget(
        t.url,
        `SELECT indexname FROM pg_indexes WHERE tablename IN ('events', 'tags') AND indexdef LIKE 'CREATE UNIQUE%' ORDER BY 1`,
      ),
    ).toEqual([
      { indexname: 'events_at' },
      { indexname: 'events_pkey' },
      { indexname: 'tags_code_key' },
      { indexname: 'tags_pkey' },
    ]);
    const exclude = new Map([
      ['events', new Set(['2', '4'])],
      ['tags', new Set(['2'])],
    ]);
    expect(await compareDatabases(source, t.url, { exclude })).toEqual([]);
    expect((await runVerify(source, t.url, join(dir, 'verify.json'))).code).toBe(0);
  });
});
