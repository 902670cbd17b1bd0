import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { reportMeasurement } from '../support/measurements';
import { loadScript } from '../support/psql';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import {
  readReport,
  runMigrate,
  runMigrateMeasured,
  runVerify,
  workDir,
  type AnyRow,
} from './support/migrate-cli';

// One chunk (the default is 250,000 rows) of bad rows: before the reject records were streamed, a
// load thread kept them all and ran out of heap at about this size, and the run never ended.
const ITEMS = 100_000;
const NOTES = 20_000;
// A run that has not ended by then has stalled (a clean run of this file takes about a second);
// below Jest's 60 s so a stall fails with the run's output.
const LIMIT_MS = 45_000;
// Rejects are handed on REJECT_BATCH (load/copy-batches) at a time (a few MB per thread), so a run of bad rows needs no
// more memory than a clean one; a quarter above the clean run's peak leaves room for the machine's noise.
const RSS_ALLOWANCE = 1.25;

/** `items` whose every `qty` is text (bad) or an integer (clean), and `notes` pointing at them. */
function buildSource(path: string, bad: boolean): void {
  const db = new Database(path);
  db.pragma('journal_mode = OFF');
  db.exec(`
    CREATE TABLE items (id INTEGER PRIMARY KEY, qty INTEGER NOT NULL, name TEXT);
    WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${ITEMS})
    INSERT INTO items SELECT i, ${bad ? `'n/a ' || i` : 'i'}, 'item "' || i || '" \\ back' FROM c;
    CREATE TABLE notes (id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES items(id), body TEXT);
    WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${NOTES})
    INSERT INTO notes SELECT i, i * 5, 'note ' || i FROM c;
  `);
  db.close();
}

describe(`migrate --on-error reject: ${ITEMS.toLocaleString('en-US')} bad rows in one chunk`, () => {
  const targets: TestDatabase[] = [];
  let dir: string;

  beforeAll(() => {
    dir = workDir('many-bad');
    buildSource(join(dir, 'bad.sqlite'), true);
    buildSource(join(dir, 'clean.sqlite'), false);
  });
  afterAll(async () => {
    for (const t of targets) await t.drop();
  });

  async function migrate(name: string) {
    const t = await createTestDatabase(`many_bad_${name}`);
    targets.push(t);
    const report = join(dir, `${name}.json`);
    const args = ['--source', join(dir, `${name}.sqlite`), '--target', t.url, '--report', report];
    const run = await runMigrateMeasured([...args, '--on-error', 'reject'], LIMIT_MS);
    reportMeasurement(
      'many-bad-rows',
      `${name}: wall s / peak RSS MB`,
      `${run.wallSeconds} / ${run.peakRssMb}`,
    );
    return { run, report, target: t };
  }

  it('ends with exit 3, every bad row and orphaned child in the reject files, memory as a clean run', async () => {
    const clean = await migrate('clean');
    expect(clean.run.code).toBe(0);
    const bad = await migrate('bad');
    expect({ code: bad.run.code, signal: bad.run.signal }).toEqual({ code: 3, signal: null });

    const json = readReport(bad.report);
    expect(json.status).toBe('rejected');
    expect(json.verification?.ok).toBe(true);
    const items = readFileSync(join(`${bad.report}.rejects`, 'items.jsonl'), 'utf8')
      .trimEnd()
      .split('\n');
    expect(items).toHaveLength(ITEMS);
    // In rowid order, whole, with the values as they were (quotes and backslashes through COPY and back).
    items.forEach((line, i) => {
      const r = JSON.parse(line) as { rowid: string; column: string; reason: string; values: AnyRow };
      expect(r).toMatchObject({ rowid: String(i + 1), column: 'qty', reason: 'text in an integer column' });
      expect(r.values).toEqual({ id: i + 1, qty: `n/a ${i + 1}`, name: `item "${i + 1}" \\ back` });
    });
    const notes = readFileSync(join(`${bad.report}.rejects`, 'notes.jsonl'), 'utf8')
      .trimEnd()
      .split('\n');
    expect(notes).toHaveLength(NOTES);

    const client = new pg.Client({ connectionString: bad.target.url });
    await client.connect();
    try {
      const run = await client.query<AnyRow>(
        `SELECT status, rows_written::int AS w, rows_rejected::int AS r FROM data_migration_runs`,
      );
      expect(run.rows).toEqual([{ status: 'rejected', w: 0, r: ITEMS + NOTES }]);
    } finally {
      await client.end();
    }
    expect(bad.run.peakRssMb).toBeLessThan(clean.run.peakRssMb * RSS_ALLOWANCE);

    // verify alone reads the rejected rowids one chunk's range at a time and leaves them out.
    const verify = await runVerify(join(dir, 'bad.sqlite'), bad.target.url, join(dir, 'verify.json'));
    expect(verify.code).toBe(0);
    const chunked = await runMigrate([
      ...['verify', '--source', join(dir, 'bad.sqlite'), '--target', bad.target.url],
      ...['--report', join(dir, 'verify-chunked.json'), '--chunk-rows', '7000'],
    ]);
    expect(chunked.code).toBe(0);
  });

  it.each([[[]], [['--no-verify']]])(
    '--on-error stop %p: a bad row after several batches of COPY text stops the run naming it (no hang)',
    async (extra) => {
      // Rows enough for the chunk's COPY to be under way (BATCH_CHARS, 256 KB) when the bad one comes.
      const source = join(dir, 'late-bad.sqlite');
      if (!existsSync(source)) {
        const db = new Database(source);
        db.exec(`
          CREATE TABLE items (id INTEGER PRIMARY KEY, qty INTEGER NOT NULL, name TEXT);
          WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 30000)
          INSERT INTO items SELECT i, CASE WHEN i = 29000 THEN 'bad' ELSE i END, 'item number ' || i || ' padded' FROM c;`);
        db.close();
      }
      const t = await createTestDatabase('late_bad');
      targets.push(t);
      const args = ['--source', source, '--target', t.url, '--report', join(dir, 'late-bad.json'), ...extra];
      const run = await runMigrateMeasured(args, LIMIT_MS);
      expect({ code: run.code, signal: run.signal }).toEqual({ code: 1, signal: null });
      expect(run.stdout).toContain('table "items", rowid 29000, column "qty": text in an integer column');
      const client = new pg.Client({ connectionString: t.url });
      await client.connect();
      try {
        expect((await client.query<AnyRow>('SELECT count(*)::int AS n FROM items')).rows).toEqual([{ n: 0 }]);
      } finally {
        await client.end();
      }
    },
  );

  it('export: the same rows set aside while the script is written, memory as a clean export, the script loads', async () => {
    const exportOf = async (name: string) => {
      const script = join(dir, `${name}.sql.gz`);
      const report = join(dir, `${name}.export.json`);
      const args = [
        'export',
        '--source',
        join(dir, `${name}.sqlite`),
        '--to-sql',
        script,
        '--report',
        report,
      ];
      const run = await runMigrateMeasured([...args, '--on-error', 'reject'], LIMIT_MS);
      reportMeasurement(
        'many-bad-rows',
        `export ${name}: wall s / peak RSS MB`,
        `${run.wallSeconds} / ${run.peakRssMb}`,
      );
      return { run, script, report };
    };
    const clean = await exportOf('clean');
    expect(clean.run.code).toBe(0);
    const bad = await exportOf('bad');
    expect(bad.run.code).toBe(3);
    const items = readFileSync(join(`${bad.report}.rejects`, 'items.jsonl'), 'utf8')
      .trimEnd()
      .split('\n');
    expect(items).toHaveLength(ITEMS);
    expect(bad.run.peakRssMb).toBeLessThan(clean.run.peakRssMb * RSS_ALLOWANCE);

    const t = await createTestDatabase('many_bad_export');
    targets.push(t);
    expect(await loadScript(t.url, bad.script)).toMatchObject({ code: 0 });
    const client = new pg.Client({ connectionString: t.url });
    await client.connect();
    try {
      const stored = await client.query<AnyRow>(
        `SELECT table_name, count(*)::int AS n FROM data_migration_state.rejects GROUP BY 1 ORDER BY 1`,
      );
      expect(stored.rows).toEqual([
        { table_name: 'items', n: ITEMS },
        { table_name: 'notes', n: NOTES },
      ]);
    } finally {
      await client.end();
    }
  });
});
