import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { compareDatabases } from './support/compare-databases';
import { buildSqlite, readReport, runVerify, workDir } from './support/migrate-cli';
import { sameQuery, sameWrite } from './support/same-write';
import { withTarget } from './support/target-client';
import { migrateVerified } from './support/verified-migration';

/** Lookups that must return the same rows on both sides (and, to show they mean something, these). */
const LOOKUPS: [string, string[][]][] = [
  [`SELECT id FROM users WHERE name = 'abc' ORDER BY id`, [['1'], ['2'], ['3']]],
  [`SELECT id FROM users WHERE email = 'ADA@EXAMPLE.COM'`, [['1']]],
  [`SELECT id FROM users WHERE email IN ('ken@example.com', 'x') ORDER BY id`, [['4']]],
  [`SELECT id FROM users WHERE handle = 'ADA'`, []],
  [`SELECT id FROM users WHERE code = 'a'`, [['2']]],
  [`SELECT count(DISTINCT name) FROM users`, [['2']]],
  [`SELECT count(*) AS n FROM users GROUP BY name ORDER BY n`, [['1'], ['3']]],
  [`SELECT id FROM users WHERE name > 'abc' ORDER BY id`, [['4']]],
  [
    `SELECT * FROM named_abc ORDER BY id`,
    [
      ['1', 'Ada@Example.com'],
      ['2', 'grace@example.com'],
      ['3', 'linus@example.com'],
    ],
  ],
  [`SELECT * FROM code_a ORDER BY id`, [['1'], ['2']]],
];

/** Writes the unique constraints must accept (true) or refuse (false) on both sides. */
const WRITES: [string, boolean][] = [
  [`INSERT INTO users (email) VALUES ('GRACE@example.COM')`, false],
  [`INSERT INTO users (email, handle) VALUES ('new@example.com', 'KEN')`, false],
  [`INSERT INTO users (email, handle, name) VALUES ('new@example.com', 'kenny', 'ABC')`, true],
  [`UPDATE users SET email = 'linus@EXAMPLE.com' WHERE id = 1`, false],
];

describe('migrate: collations (NOCASE carried with its meaning, RTRIM and custom ones listed)', () => {
  let target: TestDatabase;
  afterAll(async () => {
    await target.drop();
  });

  it('NOCASE columns, indexes, unique constraints and views: same lookups, same refusals; RTRIM listed', async () => {
    const dir = workDir('collations');
    const source = buildSqlite('collations.sql', dir);
    target = await createTestDatabase('collations');
    const report = join(dir, 'report.json');
    const json = await migrateVerified(source, target.url, report, 0);
    expect(json.notCarried).toEqual([
      {
        object: 'users.padded',
        kind: 'collation',
        reason: 'COLLATE RTRIM has no PostgreSQL equivalent: the column compares exactly (binary)',
      },
    ]);
    expect(await compareDatabases(source, target.url)).toEqual([]);
    await withTarget(target.url, async (client) => {
      for (const [sql, expected] of LOOKUPS) {
        const both = await sameQuery(source, client, sql);
        expect({ sql, ...both }).toEqual({ sql, sqlite: expected, postgres: expected });
      }
      for (const [sql, ok] of WRITES) {
        const both = await sameWrite(source, client, sql);
        expect({ sql, sqlite: both.sqlite.ok, postgres: both.postgres.ok }).toEqual({
          sql,
          sqlite: ok,
          postgres: ok,
        });
      }
      // Schema parity sees a collation that went missing.
      await client.query(`DROP VIEW named_abc`);
      await client.query(`ALTER TABLE users ALTER COLUMN name TYPE varchar(40) COLLATE "default"`);
    });
    const verify = await runVerify(source, target.url, join(dir, 'verify.json'));
    expect(verify.code).toBe(1);
    expect(readReport(join(dir, 'verify.json')).verification?.schemaProblems).toEqual([
      'column "users"."name": collation default, expected nocase',
    ]);
  });
});
