import { join } from 'node:path';
import { buildSqlite, readReport, runMigrate, workDir } from './support/migrate-cli';
import { queryTarget } from './support/target-client';
import { migrateVerified, targetDatabases } from './support/verified-migration';

describe('migrate: text that is not UTF-8 (--invalid-utf8)', () => {
  const targets = targetDatabases('legacytext');
  let dir: string;
  let source: string;
  beforeAll(() => {
    dir = workDir('legacytext');
    source = buildSqlite('legacy-text.sql', dir);
  });
  afterAll(() => targets.dropAll());

  it('refuses it by default, naming the row and column', async () => {
    const t = await targets.create();
    const report = join(dir, 'stop.json');
    expect((await runMigrate(['--source', source, '--target', t.url, '--report', report])).code).toBe(1);
    expect(readReport(report).failure?.message).toMatch(
      /table "notes", rowid [23], column "(body|title)": invalid UTF-8 in text/,
    );
  });

  it('--invalid-utf8 windows-1252: read in it, counted per column in the report, verified (also by verify alone)', async () => {
    const t = await targets.create();
    const args = ['--invalid-utf8', 'windows-1252'];
    const json = await migrateVerified(source, t.url, join(dir, 'decode.json'), 0, args);
    expect(json.decodedText).toEqual([
      { table: 'notes', column: 'body', rows: 2, encoding: 'windows-1252' },
      { table: 'notes', column: 'title', rows: 1, encoding: 'windows-1252' },
    ]);
    expect(await queryTarget(t.url, `SELECT id::int, body, title FROM notes ORDER BY id`)).toEqual([
      { id: 1, body: 'plain', title: 'ok' },
      { id: 2, body: 'Café', title: 'ok' },
      { id: 3, body: '€ 35', title: '\u201cquote\u201d' },
      { id: 4, body: 'Café', title: null },
    ]);
    const verify = await runMigrate([
      'verify',
      '--source',
      source,
      '--target',
      t.url,
      '--report',
      join(dir, 'v.json'),
      ...args,
    ]);
    expect(verify.code).toBe(0);
  });
});
