import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { loadScript } from '../support/psql';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { compareDatabases } from './support/compare-databases';
import {
  buildSqlite,
  FIXTURES,
  readReport,
  runMigrate,
  runVerify,
  sha256,
  workDir,
  type AnyRow,
} from './support/migrate-cli';

/** What a database holds beyond its rows: columns, constraints, indexes, views, the next id of each sequence. */
async function schemaOf(url: string): Promise<AnyRow> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const q = async (sql: string) => (await client.query<AnyRow>(sql)).rows;
    const sequences = await q(
      `SELECT c.relname AS t, a.attname AS c, pg_get_serial_sequence(quote_ident(c.relname), a.attname) AS s
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE c.relnamespace = 'public'::regnamespace AND a.attidentity <> '' ORDER BY 1, 2`,
    );
    const next: AnyRow[] = [];
    for (const s of sequences) {
      const r = await q(
        `SELECT (CASE WHEN is_called THEN last_value + 1 ELSE last_value END)::text AS n FROM ${s.s}`,
      );
      next.push({ table: s.t, column: s.c, next: r[0]?.n });
    }
    return {
      columns: await q(
        `SELECT table_name, column_name, data_type, character_maximum_length, is_nullable, column_default, is_identity
           FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2`,
      ),
      constraints: await q(
        `SELECT conrelid::regclass::text AS t, conname, pg_get_constraintdef(oid) AS def, condeferrable, convalidated
           FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2`,
      ),
      indexes: await q(
        `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2`,
      ),
      views: await q(`SELECT viewname, definition FROM pg_views WHERE schemaname = 'public' ORDER BY 1`),
      sequences: next,
    };
  } finally {
    await client.end();
  }
}

async function query(url: string, sql: string): Promise<AnyRow[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<AnyRow>(sql)).rows;
  } finally {
    await client.end();
  }
}

// The FTS5 table of awkward.sql and its shadow tables are listed as not carried, by migrate too.
const FTS_TABLES = [
  'notes_fts',
  'notes_fts_config',
  'notes_fts_content',
  'notes_fts_data',
  'notes_fts_docsize',
  'notes_fts_idx',
];

describe('migrate export: one psql script, loaded by psql, verified by migrate verify', () => {
  const databases: TestDatabase[] = [];
  let dir: string;
  let badData: string;
  beforeAll(() => {
    dir = workDir('export');
    badData = buildSqlite('bad-data.sql', dir);
  });
  afterAll(async () => {
    for (const db of databases) await db.drop();
  });
  async function database(): Promise<TestDatabase> {
    const db = await createTestDatabase('export');
    databases.push(db);
    return db;
  }
  async function exportTo(source: string, script: string, extra: string[] = []) {
    const report = `${script}.report.json`;
    const result = await runMigrate([
      'export',
      '--source',
      source,
      '--to-sql',
      script,
      '--report',
      report,
      ...extra,
    ]);
    return { result, report };
  }

  /** The same source by the direct route, to compare with. */
  function migrateDirect(source: string, target: TestDatabase, report: string, extra: string[] = []) {
    return runMigrate(['--source', source, '--target', target.url, '--report', report, ...extra]);
  }

  const cases = [
    {
      name: 'chinook-autoincrement',
      source: () => join(FIXTURES, 'sqlite', 'chinook-autoincrement.sqlite'),
      gz: false,
    },
    { name: 'northwind', source: () => join(FIXTURES, 'sqlite', 'northwind.db'), gz: true },
    { name: 'awkward', source: () => buildSqlite('awkward.sql', dir), gz: false },
  ];

  it.each(cases)(
    '$name: psql -1 loads it, migrate verify passes, rows as in the source, schema as the direct migrate builds it',
    async ({ name, source: sourceOf, gz }) => {
      const source = sourceOf();
      const before = sha256(source);
      const script = join(dir, `${name}.sql${gz ? '.gz' : ''}`);
      const { result, report } = await exportTo(source, script);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/export succeeded \(exit 0\)/);
      expect(sha256(source)).toBe(before);
      const json = readReport(report);
      expect(json.source.unchanged).toBe(true);
      expect(existsSync(json.source.snapshot?.path ?? '')).toBe(false);
      expect(readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
      if (gz) expect(readFileSync(script).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));

      const viaScript = await database();
      const load = await loadScript(viaScript.url, script);
      expect(load.code).toBe(0);
      const verify = await runVerify(source, viaScript.url, join(dir, `${name}.verify.json`));
      expect(verify.code).toBe(0);
      const verified = readReport(join(dir, `${name}.verify.json`));
      expect(verified.verification?.ok).toBe(true);
      // The closing table's digests are those of the COPY text PostgreSQL prints for the loaded rows.
      const digests = (tables: typeof json.tables, of: (t: (typeof json.tables)[number]) => unknown) =>
        Object.fromEntries(tables.map((t) => [t.table, of(t)]));
      expect(digests(json.tables, (t) => t.digest?.checksum)).toEqual(
        digests(verified.tables, (t) => t.verification?.targetChecksum),
      );
      expect(await compareDatabases(source, viaScript.url, { skipTables: FTS_TABLES })).toEqual([]);
      const run = await query(
        viaScript.url,
        `SELECT status, rows_written::int AS w, rows_rejected::int AS r, report->>'command' AS command FROM data_migration_runs`,
      );
      const written = json.tables.reduce((n, t) => n + t.rowsWritten, 0);
      expect(run).toEqual([{ status: 'succeeded', w: written, r: 0, command: 'export' }]);

      const direct = await database();
      const migrated = await migrateDirect(source, direct, join(dir, `${name}.direct.json`));
      expect(migrated.code).toBe(0);
      expect(await schemaOf(viaScript.url)).toEqual(await schemaOf(direct.url));
    },
  );

  it('--on-error reject: the same rows set aside as migrate sets aside, the script loads and verifies, exit 3', async () => {
    const source = badData;
    const script = join(dir, 'bad.sql');
    const { result, report } = await exportTo(source, script, ['--on-error', 'reject']);
    expect(result.code).toBe(3);
    const direct = await database();
    const directReport = join(dir, 'bad.direct.json');
    const migrated = await migrateDirect(source, direct, directReport, ['--on-error', 'reject']);
    expect(migrated.code).toBe(3);
    const records = (file: string) => readFileSync(file, 'utf8').trimEnd().split('\n').sort();
    expect(records(join(`${report}.rejects`, 'Mixed Bag.jsonl'))).toEqual(
      records(join(`${directReport}.rejects`, 'Mixed Bag.jsonl')),
    );

    const viaScript = await database();
    const load = await loadScript(viaScript.url, script);
    expect(load.code).toBe(0);
    expect(await runVerify(source, viaScript.url, join(dir, 'bad.verify.json'))).toMatchObject({ code: 0 });
    // The child of a rejected row is moved to the rejects when the script runs, as migrate moves it.
    const summary = `SELECT status, rows_written::int AS w, rows_rejected::int AS r FROM data_migration_runs`;
    expect(await query(viaScript.url, summary)).toEqual(await query(direct.url, summary));
    const rejected = `SELECT table_name, rowid::text FROM data_migration_state.rejects ORDER BY 1, 2`;
    expect(await query(viaScript.url, rejected)).toEqual(await query(direct.url, rejected));
    expect(await schemaOf(viaScript.url)).toEqual(await schemaOf(direct.url));
  });

  it('--on-error stop: a bad row fails the export naming it, and no script is left', async () => {
    const source = badData;
    const script = join(dir, 'stopped.sql');
    const { result } = await exportTo(source, script);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/table "Mixed Bag", rowid 110, column "parent_id": foreign key orphan/);
    expect(existsSync(script)).toBe(false);
    expect(existsSync(`${script}.partial`)).toBe(false);
  });

  it('refuses a target: an export connects to no database', async () => {
    const result = await runMigrate([
      'export',
      '--source',
      join(FIXTURES, 'sqlite', 'chinook.sqlite'),
      '--to-sql',
      join(dir, 'x.sql'),
      '--target',
      'postgres://h/db',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('export writes a script and cannot take --target');
  });
});
