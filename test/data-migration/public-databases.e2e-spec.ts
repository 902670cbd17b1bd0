import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { compareDatabases } from './support/compare-databases';
import type { MigrationReport } from '../../src/data-migration/model/report';
import { FIXTURES, readReport, runMigrate, sha256, workDir, type AnyRow } from './support/migrate-cli';

const cases = [
  { file: 'chinook.sqlite', tables: 11, rows: 15607 },
  { file: 'chinook-autoincrement.sqlite', tables: 11, rows: 15607 },
  { file: 'northwind.db', tables: 13, rows: 3310 },
];

/** The source's foreign keys as `child(col,…)->parent`, read with PRAGMA foreign_key_list. */
function sourceForeignKeys(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    const tables = db
      .prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
      .all() as { name: string }[];
    return tables
      .flatMap(({ name }) => {
        const rows = db.prepare(`SELECT * FROM pragma_foreign_key_list(?)`).all(name) as {
          id: number;
          seq: number;
          table: string;
          from: string;
        }[];
        const ids = [...new Set(rows.map((r) => r.id))];
        return ids.map((id) => {
          const cols = rows.filter((r) => r.id === id).sort((a, b) => a.seq - b.seq);
          return `${name}(${cols.map((c) => c.from).join(',')})->${cols[0]?.table ?? ''}`;
        });
      })
      .sort();
  } finally {
    db.close();
  }
}

/**
 * chinook-autoincrement with Genre's AUTOINCREMENT high-water mark moved above max(GenreId) (as after
 * deleting the newest genres), so the next id tells the high-water mark from max(id).
 */
function withGenreSequenceAbove(dir: string): string {
  const copy = join(dir, 'chinook-autoincrement-deleted.sqlite');
  copyFileSync(join(FIXTURES, 'sqlite', 'chinook-autoincrement.sqlite'), copy);
  const db = new Database(copy);
  db.prepare(`UPDATE sqlite_sequence SET seq = 40 WHERE name = 'Genre'`).run();
  db.close();
  return copy;
}

describe('migrate: public sample databases', () => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const db of databases) await db.drop();
  });

  it.each(cases)('$file migrates exactly, verified, exit 0', async ({ file, tables, rows }) => {
    const source =
      file === 'chinook-autoincrement.sqlite'
        ? withGenreSequenceAbove(workDir('public-seq'))
        : join(FIXTURES, 'sqlite', file);
    const before = sha256(source);
    const target = await createTestDatabase('public');
    databases.push(target);
    const report = join(workDir('public'), 'report.json');

    const result = await runMigrate([
      '--source',
      source,
      '--target',
      target.url,
      '--report',
      report,
      '--jobs',
      '2',
    ]);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/migrate succeeded \(exit 0\)/);
    expect(sha256(source)).toBe(before);
    const json = readReport(report);
    expect(json.status).toBe('succeeded');
    expect(json.source.unchanged).toBe(true);
    expect(json.tables).toHaveLength(tables);
    expect(json.tables.reduce((n: number, t: { rowsWritten: number }) => n + t.rowsWritten, 0)).toBe(rows);
    expect(json.verification?.ok).toBe(true);
    expect(await compareDatabases(source, target.url)).toEqual([]);

    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    try {
      const run = await client.query(
        'SELECT status, verified, rows_written::int AS rows, report IS NOT NULL AS has_report FROM data_migration_runs',
      );
      expect(run.rows).toEqual([{ status: 'succeeded', verified: true, rows, has_report: true }]);
      // Every foreign key of the source is on the target, and no other.
      const fks = await client.query<{ fk: string }>(
        `SELECT c.relname || '(' || string_agg(a.attname, ',' ORDER BY k.ord) || ')->' || p.relname AS fk
           FROM pg_constraint f JOIN pg_class c ON c.oid = f.conrelid JOIN pg_class p ON p.oid = f.confrelid
           CROSS JOIN LATERAL unnest(f.conkey) WITH ORDINALITY AS k(attnum, ord)
           JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = k.attnum
          WHERE f.contype = 'f' AND f.connamespace = 'public'::regnamespace
          GROUP BY f.oid, c.relname, p.relname`,
      );
      expect(fks.rows.map((r) => r.fk).sort()).toEqual(sourceForeignKeys(source));
    } finally {
      await client.end();
    }
  });

  it('Northwind keeps "Order Details", its keys and the views PostgreSQL can run; the rest are listed', async () => {
    const target = databases[2];
    if (!target) throw new Error('the Northwind migration did not run');
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    try {
      const od = await client.query(
        `SELECT count(*)::int AS n, sum("Quantity")::int AS q FROM "Order Details"`,
      );
      expect(od.rows[0]).toEqual({ n: 2155, q: 51317 });
      const pk = await client.query(
        `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = '"Order Details"'::regclass AND contype = 'p'`,
      );
      expect(pk.rows[0].def).toBe('PRIMARY KEY ("OrderID", "ProductID")');
      const views = await client.query<AnyRow>(
        `SELECT count(*)::int AS n FROM pg_views WHERE schemaname = 'public'`,
      );
      expect(views.rows[0].n).toBe(17);
      const subtotal = await client.query(
        `SELECT round("Subtotal"::numeric, 2)::text AS s FROM "Order Subtotals" WHERE "OrderID" = 10248`,
      );
      expect(subtotal.rows[0].s).toBe('440.00');
      const runs = await client.query<{ report: MigrationReport }>('SELECT report FROM data_migration_runs');
      const report = runs.rows[0]?.report;
      expect(report?.notCarried.filter((n) => n.kind === 'view')).toEqual([]);
      // Every view proven by the same rows on both sides: "Invoices" adds text with + (0 in SQLite,
      // as translated); "Customer and Suppliers by City" orders text bytewise with NULLs first.
      expect(report?.verification?.views?.filter((v) => v.ok)).toHaveLength(17);
      expect(
        report?.verification?.views?.find((v) => v.view === 'Customer and Suppliers by City')?.ordered,
      ).toBe(true);
      const salesperson = await client.query(`SELECT DISTINCT "Salesperson"::text AS s FROM "Invoices"`);
      expect(salesperson.rows).toEqual([{ s: '0' }]);
    } finally {
      await client.end();
    }
  });

  it('the next insert gets an id above max(id) and the AUTOINCREMENT high-water mark', async () => {
    const target = databases[1];
    if (!target) throw new Error('the Chinook migration did not run');
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    try {
      const inserted = await client.query(
        `INSERT INTO "Genre" ("Name") VALUES ('New') RETURNING "GenreId"::int AS id`,
      );
      // max(GenreId) is 25; the high-water mark of the source's sqlite_sequence is 40.
      expect(inserted.rows[0].id).toBe(41);
    } finally {
      await client.end();
    }
  });
});
