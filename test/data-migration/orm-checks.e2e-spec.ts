import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { compareDatabases } from './support/compare-databases';
import { buildSqlite, runMigrate, runVerify, workDir } from './support/migrate-cli';
import { sameWrite } from './support/same-write';
import { queryTarget, withTarget } from './support/target-client';
import { migrateVerified } from './support/verified-migration';

/** Writes each CHECK must accept (true) or refuse (false) on both sides. */
const PROBES: Record<string, [string, boolean][]> = {
  'orm-made.sql': [
    [
      `INSERT INTO shop_product (name, attributes, stock, is_active, created) VALUES ('a', '{"k": [1]}', 1, '1', '2024-01-01')`,
      true,
    ],
    [
      `INSERT INTO shop_product (name, attributes, stock, is_active, created) VALUES ('b', '{bad json', 1, '1', '2024-01-01')`,
      false,
    ],
    [
      `INSERT INTO shop_product (name, attributes, stock, is_active, created) VALUES ('c', NULL, -1, '1', '2024-01-01')`,
      false,
    ],
    [
      `INSERT INTO shop_product (name, attributes, stock, is_active, created) VALUES ('d', NULL, 100001, '0', '2024-01-01')`,
      false,
    ],
    [
      `INSERT INTO shop_product (name, stock, rating, is_active, created) VALUES ('e', 1, -3, '0', '2024-01-01')`,
      false,
    ],
    [`INSERT INTO users (email, is_verified, is_admin, role) VALUES ('x@y.z', '1', '0', 'editor')`, true],
    [`INSERT INTO users (email, is_verified, role) VALUES ('x@y.z', '0', 'boss')`, false],
    [`UPDATE users SET is_verified = '0' WHERE email = 'ada@example.com'`, true],
  ],
  'sqlite-functions.sql': [
    [`INSERT INTO accounts (email) VALUES ('new@example.com')`, true],
    [`INSERT INTO accounts (email) VALUES ('New@example.com')`, false],
    [`INSERT INTO accounts (email) VALUES ('@example.com')`, false],
    [`INSERT INTO accounts (email) VALUES ('a-very-long-address-beyond-forty@example.com')`, false],
    [`INSERT INTO accounts (email, code) VALUES ('a@b.c', 'QR-7x')`, true],
    [`INSERT INTO accounts (email, code) VALUES ('a@b.c', 'qr-7')`, false],
    [`INSERT INTO accounts (email, code) VALUES ('a@b.c', 'XX-1')`, false],
    [`INSERT INTO accounts (email, nick) VALUES ('a@b.c', ' padded')`, false],
    [`INSERT INTO accounts (email, nick) VALUES ('a@b.c', '_under')`, false],
    [`INSERT INTO accounts (email, nick) VALUES ('a@b.c', 'admin2')`, false],
    [`INSERT INTO accounts (email, tier) VALUES ('a@b.c', 12)`, false],
    [`INSERT INTO accounts (email, fee) VALUES ('a@b.c', 1.234)`, false],
    [`INSERT INTO accounts (email, fee) VALUES ('a@b.c', 2.5)`, true],
    [`INSERT INTO accounts (email, label) VALUES ('a@b.c', 'bad')`, false],
    [`INSERT INTO accounts (email, label) VALUES ('a@b.c', 'hey!')`, false],
    [`INSERT INTO accounts (email, pin) VALUES ('a@b.c', 123)`, false],
    [`INSERT INTO accounts (email, pin) VALUES ('a@b.c', 4321)`, true],
    [`INSERT INTO accounts (email, opened) VALUES ('a@b.c', '1999-12-31')`, false],
    [`INSERT INTO accounts (email, opened) VALUES ('a@b.c', '2099-12-31')`, false],
    [`INSERT INTO accounts (email, opened) VALUES ('a@b.c', '2099-11-30')`, true],
    [`INSERT INTO accounts (email, seen) VALUES ('a@b.c', '2000-01-15 00:00:00')`, false],
    [`INSERT INTO accounts (email, seen) VALUES ('a@b.c', '2000-02-01 00:00:01')`, true],
  ],
};

describe('migrate: CHECKs written by ORMs and in SQLite functions; ORM and pgloader defaults', () => {
  const targets: TestDatabase[] = [];
  afterAll(async () => {
    for (const t of targets) await t.drop();
  });

  it.each(Object.keys(PROBES))(
    '%s: every CHECK and default carried, verified, same writes accepted and refused',
    async (fixture) => {
      const dir = workDir('orm');
      const source = buildSqlite(fixture, dir);
      const t = await createTestDatabase('orm');
      targets.push(t);
      const report = join(dir, 'report.json');
      const json = await migrateVerified(source, t.url, report, 0);
      expect(json.notCarried).toEqual([]);
      expect(await compareDatabases(source, t.url)).toEqual([]);
      expect((await runVerify(source, t.url, join(dir, 'verify.json'))).code).toBe(0);
      await withTarget(t.url, async (client) => {
        for (const [sql, ok] of PROBES[fixture] ?? []) {
          const outcome = await sameWrite(source, client, sql);
          expect({ sql, sqlite: outcome.sqlite.ok, postgres: outcome.postgres.ok }).toEqual({
            sql,
            sqlite: ok,
            postgres: ok,
          });
        }
      });
    },
  );

  it('defaults: the quoted number, the empty string and DATETIME(now, localtime) are on the target', async () => {
    const dir = workDir('orm-defaults');
    const source = buildSqlite('sqlite-functions.sql', dir);
    const t = await createTestDatabase('orm');
    targets.push(t);
    expect(
      (await runMigrate(['--source', source, '--target', t.url, '--report', join(dir, 'r.json')])).code,
    ).toBe(0);
    const defaults = await queryTarget<{ column: string; def: string }>(
      t.url,
      `SELECT a.attname AS column, pg_get_expr(d.adbin, d.adrelid) AS def FROM pg_attrdef d
         JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
        WHERE d.adrelid = 'accounts'::regclass AND a.attidentity = '' ORDER BY a.attnum`,
    );
    expect(defaults).toEqual([
      { column: 'tier', def: "'0'::bigint" },
      { column: 'label', def: "''::text" },
      { column: 'stamp', def: "to_char(LOCALTIMESTAMP, 'YYYY-MM-DD HH24:MI:SS'::text)" },
      { column: 'made', def: 'CURRENT_TIMESTAMP' },
    ]);
    const [row] = await queryTarget<{ tier: string; label: string; fresh: boolean }>(
      t.url,
      `INSERT INTO accounts (email) VALUES ('d@e.f')
       RETURNING tier, label, abs(extract(epoch FROM (stamp::timestamp - LOCALTIMESTAMP))) < 60 AS fresh`,
    );
    expect(row).toEqual({ tier: '0', label: '', fresh: true });
  });
});
