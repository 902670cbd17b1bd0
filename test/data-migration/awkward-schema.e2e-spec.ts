import { join } from 'node:path';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { compareDatabases } from './support/compare-databases';
import { buildSqlite, readReport, runMigrate, sha256, workDir, type AnyRow } from './support/migrate-cli';

// The FTS5 virtual table and its shadow tables, which the migration reports and leaves out.
const FTS_TABLES = [
  'notes_fts',
  'notes_fts_data',
  'notes_fts_idx',
  'notes_fts_content',
  'notes_fts_docsize',
  'notes_fts_config',
];

describe('migrate: awkward hand-written schema', () => {
  let target: TestDatabase;
  let client: pg.Client;
  let source: string;
  let dir: string;

  beforeAll(async () => {
    dir = workDir('awkward');
    source = buildSqlite('awkward.sql', dir);
    target = await createTestDatabase('awkward');
    client = new pg.Client({ connectionString: target.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await target.drop();
  });

  it('migrates with exit 0 and an exact copy of every value', async () => {
    const before = sha256(source);
    const report = join(dir, 'report.json');
    const result = await runMigrate(['--source', source, '--target', target.url, '--report', report]);
    expect(result.code).toBe(0);
    expect(sha256(source)).toBe(before);
    const json = readReport(report);
    expect(json.verification?.ok).toBe(true);
    // Only the FTS table and its shadow tables are left out, and they are listed.
    expect(new Set(json.notCarried.map((n) => n.kind))).toEqual(new Set(['virtual table']));
    expect(json.notCarried.map((n) => n.object)).toContain('notes_fts');
    expect(await compareDatabases(source, target.url, { skipTables: FTS_TABLES })).toEqual([]);
  });

  it('keeps exact identifiers, types, NOT NULL, defaults and keys', async () => {
    const cols = await client.query(
      `SELECT column_name, data_type, is_nullable, column_default, is_identity FROM information_schema.columns
        WHERE table_name = 'order' ORDER BY ordinal_position`,
    );
    const byName = Object.fromEntries(cols.rows.map((r) => [r.column_name, r]));
    expect(Object.keys(byName)).toContain('Created At');
    expect(byName.id).toMatchObject({ data_type: 'bigint', is_identity: 'YES', is_nullable: 'NO' });
    expect(byName['select']).toMatchObject({
      data_type: 'text',
      is_nullable: 'NO',
      column_default: "''::text",
    });
    expect(byName['Created At']).toMatchObject({
      data_type: 'timestamp with time zone',
      is_nullable: 'NO',
      column_default: 'CURRENT_TIMESTAMP',
    });
    expect(byName.updated_at.column_default).toBe('CURRENT_TIMESTAMP');
    expect(byName.day).toMatchObject({ data_type: 'date', column_default: 'CURRENT_DATE' });
    expect(byName.active).toMatchObject({ data_type: 'boolean', column_default: 'true' });
    expect(byName.payload.data_type).toBe('jsonb');
    expect(byName.ref.data_type).toBe('uuid');
    expect(byName.blobby.data_type).toBe('bytea');
    expect(byName.total.data_type).toBe('numeric');
    expect(byName.small.data_type).toBe('smallint');
    expect(byName.anything.data_type).toBe('text');
    const pk = await client.query(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = '"LineItem"'::regclass AND contype = 'p'`,
    );
    expect(pk.rows[0].def).toBe('PRIMARY KEY ("OrderId", "LineNo")');
    const selfFk = await client.query(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = '"Category"'::regclass AND contype = 'f'`,
    );
    expect(selfFk.rows[0].def).toBe('FOREIGN KEY ("ParentId") REFERENCES "Category"("CategoryId")');
    const deferred = await client.query<AnyRow>(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = '"LineItem"'::regclass AND contype = 'f'`,
    );
    expect(deferred.rows[0].def).toBe(
      'FOREIGN KEY ("OrderId") REFERENCES "order"(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED',
    );
  });

  it('builds partial, expression and unique indexes and the views', async () => {
    const ix = await client.query(
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`,
    );
    const defs = Object.fromEntries(ix.rows.map((r) => [r.indexname, r.indexdef]));
    expect(defs.order_label_partial).toMatch(
      /UNIQUE INDEX .* WHERE \(\(label IS NOT NULL\) AND \(active = true\)\)/,
    );
    expect(defs.order_lower_select).toMatch(/lower\("select"\)/);
    expect(defs.order_account_idx).toMatch(/"Created At" DESC/);
    expect(defs.Category_live).toMatch(/WHERE \("Deleted" = false\)/);
    expect(defs.Category_Name_key).toMatch(/UNIQUE/);
    const view = await client.query<AnyRow>(`SELECT id::int, "Choice" FROM "Active Orders" ORDER BY id`);
    expect(view.rows).toEqual([
      { id: 1, Choice: 'first' },
      { id: 3, Choice: 'third' },
    ]);
    const tree = await client.query<AnyRow>(`SELECT child, parent FROM category_tree ORDER BY child`);
    expect(tree.rows).toContainEqual({ child: 'grandchild', parent: 'child' });
  });

  it('converts epoch, Julian-day and offset times to the right instants', async () => {
    const rows = await client.query(
      `SELECT id::int, "Created At" AS c, updated_at AS u FROM "order" ORDER BY id`,
    );
    const at = (id: number, k: 'c' | 'u'): string =>
      (rows.rows.find((r) => r.id === id)[k] as Date).toISOString();
    expect(at(1, 'u')).toBe('2023-11-14T22:13:20.000Z'); // epoch seconds
    expect(at(2, 'u')).toBe('2023-11-14T22:13:20.123Z'); // epoch milliseconds
    expect(at(3, 'u')).toBe('2023-02-25T00:00:00.000Z'); // Julian day 2460000.5
    expect(at(3, 'c')).toBe('2024-03-09T21:00:00.000Z'); // +05:30 offset
    expect(at(7, 'u')).toBe('2024-06-01T17:00:00.500Z'); // -07:00 offset
    const micro = await client.query<AnyRow>(
      `SELECT to_char("Created At", 'US') AS us FROM "order" WHERE id = 6`,
    );
    expect(micro.rows[0].us).toBe('123456');
  });

  it('hands out ids above the AUTOINCREMENT gap (sqlite_sequence 8, max(id) 7)', async () => {
    const inserted = await client.query(
      `INSERT INTO "order" ("select", "AccountId") VALUES ('new', 1) RETURNING id::int`,
    );
    expect(inserted.rows[0].id).toBe(9);
    const category = await client.query(
      `INSERT INTO "Category" ("Name") VALUES ('new') RETURNING "CategoryId"::int AS id`,
    );
    expect(category.rows[0].id).toBe(11);
    await client.query<AnyRow>(`DELETE FROM "order" WHERE id = 9`);
    await client.query<AnyRow>(`DELETE FROM "Category" WHERE "CategoryId" = 11`);
  });

  it('the independent comparison notices a changed value (it can fail)', async () => {
    await client.query<AnyRow>(`UPDATE event_log SET n = n + 1 WHERE kind = 'b'`);
    const diffs = await compareDatabases(source, target.url, { skipTables: FTS_TABLES });
    expect(diffs.map((d) => d.table)).toEqual(['event_log']);
    await client.query<AnyRow>(`UPDATE event_log SET n = n - 1 WHERE kind = 'b'`);
  });

  it('`verify` re-checks the target: exit 0 when equal, exit 1 after a change', async () => {
    const ok = await runMigrate([
      'verify',
      '--source',
      source,
      '--target',
      target.url,
      '--report',
      join(dir, 'verify.json'),
    ]);
    expect(ok.code).toBe(0);
    expect(readReport(join(dir, 'verify.json')).verification?.ok).toBe(true);
    await client.query<AnyRow>(`UPDATE "order" SET label = 'changed' WHERE id = 1`);
    const bad = await runMigrate([
      'verify',
      '--source',
      source,
      '--target',
      target.url,
      '--report',
      join(dir, 'verify2.json'),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/verify order: content checksum differs/);
    await client.query<AnyRow>(`UPDATE "order" SET label = 'hello' WHERE id = 1`);
  });

  it('refuses a non-empty target (exit 1), then --reset-target migrates again (exit 0)', async () => {
    const refused = await runMigrate([
      '--source',
      source,
      '--target',
      target.url,
      '--report',
      join(dir, 'again.json'),
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/target tables are not empty/);
    const reset = await runMigrate([
      '--source',
      source,
      '--target',
      target.url,
      '--report',
      join(dir, 'reset.json'),
      '--reset-target',
    ]);
    expect(reset.code).toBe(0);
    expect(await compareDatabases(source, target.url, { skipTables: FTS_TABLES })).toEqual([]);
    const runs = await client.query<AnyRow>(`SELECT status FROM data_migration_runs ORDER BY id`);
    // A refusal in preflight changes nothing and is not recorded as a run.
    expect(runs.rows.map((r) => String(r.status))).toEqual(['succeeded', 'succeeded']);
  });

  it('usage errors exit 2', async () => {
    expect((await runMigrate(['--target', target.url])).code).toBe(2);
    expect(
      (await runMigrate(['--source', source, '--on-error', 'ignore', '--target', target.url])).code,
    ).toBe(2);
    expect((await runMigrate(['--source', source, '--target', 'mysql://x@y/z'])).code).toBe(2);
    expect((await runMigrate(['--source', join(dir, 'missing.sqlite'), '--target', target.url])).code).toBe(
      2,
    );
  });
});
