import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestDatabase } from '../support/test-database';
import { compareDatabases } from './support/compare-databases';
import { buildSqlite, readReport, runMigrate, runVerify, workDir } from './support/migrate-cli';
import { queryTarget, withTarget } from './support/target-client';
import { migrateVerified, targetDatabases } from './support/verified-migration';

/** Foreign keys on the target as `child(col)->parent` with whether PostgreSQL validated them. */
const FOREIGN_KEYS = `
  SELECT c.relname || '(' || a.attname || ')->' || p.relname AS fk, f.convalidated AS valid
    FROM pg_constraint f JOIN pg_class c ON c.oid = f.conrelid JOIN pg_class p ON p.oid = f.confrelid
    JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = f.conkey[1]
   WHERE f.contype = 'f' ORDER BY 1`;

interface Reject {
  table: string;
  rowid: string | null;
  key: Record<string, unknown> | null;
  column: string;
  reason: string;
}

function rejects(report: string, table: string): Reject[] {
  return readFileSync(join(`${report}.rejects`, `${table}.jsonl`), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Reject);
}

describe('migrate: foreign keys SQLite never enforced (--orphans)', () => {
  const targets = targetDatabases('orphans');
  const target = (): Promise<TestDatabase> => targets.create();
  let dir: string;
  let source: string;

  beforeAll(() => {
    dir = workDir('orphans');
    source = buildSqlite('orphans.sql', dir);
  });
  afterAll(() => targets.dropAll());

  it('stops by default, naming the first orphan and the --orphans option; nothing written', async () => {
    const t = await target();
    const result = await runMigrate([
      '--source',
      source,
      '--target',
      t.url,
      '--report',
      join(dir, 'stop.json'),
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /5 foreign-key orphan row\(s\) in the source; first: table "orders", rowid 3, column "customer_id"/,
    );
    expect(result.stdout).toContain('--orphans keep');
    expect(
      await queryTarget(
        t.url,
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
      ),
    ).toEqual([]);
  });

  it('--orphans keep: every row loaded, the broken foreign keys NOT VALID, the orphans listed, verified', async () => {
    const t = await target();
    const report = join(dir, 'keep.json');
    const json = await migrateVerified(source, t.url, report, 0, ['--orphans', 'keep']);
    expect(await compareDatabases(source, t.url)).toEqual([]);
    expect(await queryTarget(t.url, FOREIGN_KEYS)).toEqual([
      { fk: 'order_lines(product_code)->products', valid: false },
      { fk: 'orders(customer_id)->customers', valid: false },
      { fk: 'orders(shipper_id)->shippers', valid: true },
    ]);
    expect(json.orphans?.map((o) => [o.table, o.rowid, o.key, o.column])).toEqual([
      ['orders', '3', null, 'customer_id'],
      ['orders', '5', null, 'customer_id'],
      ['orders', '6', null, 'customer_id'],
      ['order_lines', null, [10, 2], 'product_code'],
      ['order_lines', null, [11, 1], 'product_code'],
    ]);
    expect(json.notCarried.filter((n) => n.kind === 'foreign key').map((n) => n.reason)).toEqual([
      expect.stringMatching(/^created NOT VALID \(--orphans keep\): 3 existing row/) as string,
      expect.stringMatching(/^created NOT VALID \(--orphans keep\): 2 existing row/) as string,
    ]);
    // PostgreSQL still checks every new write against the NOT VALID key.
    await expect(
      queryTarget(t.url, `INSERT INTO orders (customer_id, shipper_id) VALUES (99, 1)`),
    ).rejects.toThrow(/violates foreign key constraint/);
    const verify = await runVerify(source, t.url, join(dir, 'keep-verify.json'));
    expect(verify.code).toBe(0);
    expect(readReport(join(dir, 'keep-verify.json')).verification?.schemaProblems).toEqual([]);

    // A foreign key left unchecked where the source has no orphan is a failed check.
    await withTarget(t.url, async (c) => {
      const { rows } = await c.query<{ name: string }>(
        `SELECT conname AS name FROM pg_constraint WHERE conrelid = 'orders'::regclass AND confrelid = 'shippers'::regclass`,
      );
      const name = rows[0]?.name ?? '';
      await c.query(`ALTER TABLE orders DROP CONSTRAINT "${name}"`);
      await c.query(
        `ALTER TABLE orders ADD CONSTRAINT "${name}" FOREIGN KEY (shipper_id) REFERENCES shippers (id) NOT VALID`,
      );
    });
    const broken = await runVerify(source, t.url, join(dir, 'keep-broken.json'));
    expect(broken.code).toBe(1);
    expect(readReport(join(dir, 'keep-broken.json')).verification?.schemaProblems).toEqual([
      expect.stringMatching(
        /foreign key ".*" on "orders" is NOT VALID: its rows were never checked/,
      ) as string,
    ]);
  });

  it.each([
    ['--orphans', 'reject'],
    ['--on-error', 'reject'],
  ])(
    '%s %s: the orphans of rowid and WITHOUT ROWID tables set aside alike, exit 3, verified',
    async (flag, value) => {
      const t = await target();
      const report = join(dir, `reject-${flag.slice(2)}.json`);
      await migrateVerified(source, t.url, report, 3, [flag, value]);
      expect(rejects(report, 'orders').map((r) => [r.rowid, r.column, r.reason])).toEqual(
        ['3', '5', '6'].map((id): unknown[] => [
          id,
          'customer_id',
          expect.stringMatching(/^foreign key orphan: no row in "customers"/) as unknown,
        ]),
      );
      expect(rejects(report, 'order_lines').map((r) => [r.rowid, r.key, r.column])).toEqual([
        [null, { order_id: 10, line_no: 2 }, 'product_code'],
        [null, { order_id: 11, line_no: 1 }, 'product_code'],
      ]);
      expect(await queryTarget(t.url, FOREIGN_KEYS)).toEqual([
        { fk: 'order_lines(product_code)->products', valid: true },
        { fk: 'orders(customer_id)->customers', valid: true },
        { fk: 'orders(shipper_id)->shippers', valid: true },
      ]);
      expect(await queryTarget(t.url, `SELECT order_id, line_no FROM order_lines ORDER BY 1, 2`)).toEqual([
        { order_id: '10', line_no: '1' },
        { order_id: '11', line_no: '2' },
        { order_id: '12', line_no: '1' },
      ]);
      const exclude = new Map([['orders', new Set(['3', '5', '6'])]]);
      expect(await compareDatabases(source, t.url, { exclude, skipTables: ['order_lines'] })).toEqual([]);
      // verify alone knows the rejected rows of both kinds of table.
      expect((await runVerify(source, t.url, join(dir, `reject-${flag.slice(2)}-verify.json`))).code).toBe(0);
    },
  );
});
