import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SIDE_BY_SIDE_ROWS } from '../../src/data-migration/phases/index-builds';
import { compareDatabases } from './support/compare-databases';
import { readReport, runMigrate, workDir } from './support/migrate-cli';
import { queryTarget } from './support/target-client';
import { migrateVerified, targetDatabases } from './support/verified-migration';

const ROWS = 120_000;
// Rows whose `at` is an earlier row's instant in another spelling: PostgreSQL's unique index refuses them.
const DUPLICATES = [50_001, 110_001];

/** A table big enough for its index builds to run side by side: a key, two unique indexes, an index, a CHECK. */
function buildSource(path: string): void {
  const db = new Database(path);
  db.exec(`
    CREATE TABLE events (
      id INTEGER PRIMARY KEY,
      at DATETIME NOT NULL,
      code TEXT NOT NULL UNIQUE,
      kind INTEGER NOT NULL,
      CHECK (kind BETWEEN 0 AND 9)
    );
    WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${ROWS})
    INSERT INTO events SELECT i, strftime('%Y-%m-%d %H:%M:%S', 1600000000 + i * 60, 'unixepoch'),
      printf('c%06d', i), i % 10 FROM c;
    CREATE UNIQUE INDEX events_at ON events (at);
    CREATE INDEX events_kind ON events (kind);
  `);
  // The same instant as row 1000 (and 2000), as epoch seconds.
  const update = db.prepare('UPDATE events SET at = ? WHERE id = ?');
  DUPLICATES.forEach((id, k) => update.run(1600000000 + (k + 1) * 1000 * 60, id));
  db.close();
}

describe('migrate: a big table’s index builds side by side', () => {
  const targets = targetDatabases('builds');
  let dir: string;
  let source: string;
  beforeAll(() => {
    dir = workDir('builds');
    source = join(dir, 'builds.sqlite');
    buildSource(source);
  });
  afterAll(() => targets.dropAll());

  it('takes the side-by-side path for this table', () => {
    expect(ROWS).toBeGreaterThanOrEqual(SIDE_BY_SIDE_ROWS);
  });

  it('--on-error stop: the refused unique index fails the run by name, the table left empty', async () => {
    const t = await targets.create();
    const report = join(dir, 'stop.json');
    const result = await runMigrate(['--source', source, '--target', t.url, '--report', report]);
    expect(result.code).toBe(1);
    expect(readReport(report).failure?.message).toMatch(
      /^cannot add unique "events_at" on "events": could not create unique index "events_at" .*is duplicated.*--on-error reject/s,
    );
    expect(await queryTarget(t.url, 'SELECT count(*)::int AS n FROM events')).toEqual([{ n: 0 }]);
  });

  it('--on-error reject: duplicates set aside, key, indexes and CHECK all built, verified', async () => {
    const t = await targets.create();
    const report = join(dir, 'reject.json');
    const json = await migrateVerified(source, t.url, report, 3, ['--on-error', 'reject']);
    const rejected = readFileSync(join(`${report}.rejects`, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { rowid: string }).rowid);
    expect(rejected.sort()).toEqual(DUPLICATES.map(String).sort());
    // Listed in the plan's order, whichever build finished first.
    expect(json.created.map((c) => `${c.kind} ${c.name}`)).toEqual([
      'primary key events_pkey',
      'unique events_code_key',
      'unique events_at',
      'index events_kind',
      'check events_check1',
    ]);
    expect(
      await queryTarget(
        t.url,
        `SELECT conname, contype, pg_get_constraintdef(oid) AS def FROM pg_constraint
          WHERE conrelid = 'events'::regclass ORDER BY conname`,
      ),
    ).toEqual([
      {
        conname: 'events_check1',
        contype: 'c',
        def: expect.stringMatching(/kind >= 0.*kind <= 9/) as string,
      },
      { conname: 'events_pkey', contype: 'p', def: 'PRIMARY KEY (id)' },
    ]);
    expect(
      await queryTarget(
        t.url,
        `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'events' ORDER BY indexname`,
      ),
    ).toEqual([
      { indexname: 'events_at', indexdef: expect.stringContaining('UNIQUE INDEX events_at') as string },
      {
        indexname: 'events_code_key',
        indexdef: expect.stringContaining('UNIQUE INDEX events_code_key') as string,
      },
      { indexname: 'events_kind', indexdef: expect.stringContaining('(kind)') as string },
      {
        indexname: 'events_pkey',
        indexdef: expect.stringContaining(
          'UNIQUE INDEX events_pkey ON public.events USING btree (id)',
        ) as string,
      },
    ]);
    const exclude = new Map([['events', new Set(DUPLICATES.map(String))]]);
    expect(await compareDatabases(source, t.url, { exclude })).toEqual([]);
  });
});
