import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { buildSqlite, readReport, runVerify, workDir } from './support/migrate-cli';
import { sameQuery } from './support/same-write';
import { withTarget } from './support/target-client';
import { migrateVerified } from './support/verified-migration';

const CARRIED = [
  'actor_info',
  'film_language',
  'film_kind',
  'stores_12345',
  'store_numbers',
  'films_by_length',
  'films_by_title',
];

describe('migrate: views (GROUP_CONCAT, IF/IIF, bare columns, affinity), each proven by its rows', () => {
  let target: TestDatabase;
  let dir: string;
  let source: string;
  beforeAll(() => {
    dir = workDir('views');
    source = buildSqlite('views.sql', dir);
  });
  afterAll(async () => {
    await target.drop();
  });

  it('carries every view PostgreSQL can mean the same by, proves each in verify, lists the other', async () => {
    target = await createTestDatabase('views');
    const report = join(dir, 'report.json');
    const json = await migrateVerified(source, target.url, report, 0);
    expect(json.verification?.views?.map((v) => [v.view, v.ok, v.ordered, v.sourceRows]).sort()).toEqual([
      ['actor_info', true, false, 3],
      ['film_kind', true, false, 4],
      ['film_language', true, false, 4],
      ['films_by_length', true, true, 4],
      ['films_by_title', true, true, 4],
      ['store_numbers', true, false, 3],
      ['stores_12345', true, false, 2],
    ]);
    expect(json.notCarried).toEqual([
      {
        object: 'actor_any_film',
        kind: 'view',
        reason:
          'bare column of "f" in an aggregate query: SQLite takes it from some row of each group, and no grouped table has a foreign key to "film" that makes it one row',
      },
      {
        object: 'lower_titles',
        kind: 'view',
        reason: 'SQLite itself cannot run this view: no such function: LCASE',
      },
      {
        object: 'missing_column',
        kind: 'view',
        reason: 'SQLite itself cannot run this view: no such column: f.nope',
      },
    ]);
    // The rows themselves, to show what "the same" means here.
    await withTarget(target.url, async (client) => {
      for (const view of CARRIED) {
        const both = await sameQuery(source, client, `SELECT * FROM ${view}`);
        // character(n) prints padded to n (the language name): trailing blanks are not compared.
        const text = (rows: (string | null)[][]): string[] =>
          rows.map((r) => JSON.stringify(r.map((v) => v?.replace(/ +$/, '') ?? null)));
        const sort = (rows: (string | null)[][]): string[] => text(rows).sort();
        const ordered = view.startsWith('films_by');
        expect({ view, rows: ordered ? text(both.postgres) : sort(both.postgres) }).toEqual({
          view,
          rows: ordered ? text(both.sqlite) : sort(both.sqlite),
        });
      }
    });
  });

  it('verify fails when a view on the target returns other rows', async () => {
    await withTarget(target.url, async (client) => {
      await client.query(
        `CREATE OR REPLACE VIEW films_by_title AS SELECT title FROM film ORDER BY title DESC`,
      );
      await client.query(
        `CREATE OR REPLACE VIEW stores_12345 AS SELECT store_id FROM store WHERE zip = '12345'`,
      );
    });
    const verify = join(dir, 'verify.json');
    expect((await runVerify(source, target.url, verify)).code).toBe(1);
    expect(readReport(verify).verification?.schemaProblems).toEqual([
      'view "stores_12345": 2 row(s) in SQLite, 1 in PostgreSQL',
      'view "films_by_title": the rows differ (or their order)',
    ]);
  });
});
