import { join } from 'node:path';
import { buildSqlite, readReport, runMigrate, workDir } from './support/migrate-cli';
import { queryTarget } from './support/target-client';
import { migrateVerified, targetDatabases } from './support/verified-migration';

const T2024 = 'customer_account_balance_history_snapshot_for_quarterly_reporting_2024';
const T2025 = 'customer_account_balance_history_snapshot_for_quarterly_reporting_2025';

describe('migrate: names over 63 bytes (--long-names)', () => {
  const targets = targetDatabases('longnames');
  let dir: string;
  let source: string;
  beforeAll(() => {
    dir = workDir('longnames');
    source = buildSqlite('long-names.sql', dir);
  });
  afterAll(() => targets.dropAll());

  it('stops by default, naming each long name and the option', async () => {
    const t = await targets.create();
    const report = join(dir, 'stop.json');
    expect((await runMigrate(['--source', source, '--target', t.url, '--report', report])).code).toBe(1);
    const message = readReport(report).failure?.message ?? '';
    expect(message).toContain(
      `table "${T2024}": name longer than PostgreSQL's 63-byte identifier limit (--long-names shorten`,
    );
    expect(message).toContain(`table "${T2025}": name longer`);
  });

  it('--long-names shorten: a prefix and a hash, the map in the report, keys, index and view carried, verified', async () => {
    const t = await targets.create();
    const json = await migrateVerified(source, t.url, join(dir, 'shorten.json'), 0, [
      '--long-names',
      'shorten',
    ]);
    const renamed = json.renamed ?? [];
    expect(renamed.map((r) => [r.table, r.column])).toEqual([
      [T2024, null],
      [T2024, 'the_customer_identifier_as_recorded_by_the_original_billing_system_v2'],
      [T2025, null],
    ]);
    for (const r of renamed) {
      expect(Buffer.byteLength(r.to)).toBeLessThanOrEqual(63);
      expect(r.to).toMatch(/^customer_account_balance|^the_customer_identifier/);
    }
    // The two tables' 63-byte prefixes are the same; their shortened names are not.
    expect(new Set(renamed.filter((r) => r.column === null).map((r) => r.to)).size).toBe(2);
    expect(json.notCarried).toEqual([]);
    expect(await queryTarget(t.url, `SELECT * FROM balances ORDER BY id`)).toEqual([
      { id: '1', customer: 'C-2' },
      { id: '2', customer: null },
    ]);
    const fks = await queryTarget<{ n: string }>(
      t.url,
      `SELECT count(*) AS n FROM pg_constraint WHERE contype = 'f'`,
    );
    expect(fks).toEqual([{ n: '1' }]);
    const verify = await runMigrate([
      'verify',
      '--source',
      source,
      '--target',
      t.url,
      '--report',
      join(dir, 'v.json'),
      '--long-names',
      'shorten',
    ]);
    expect(verify.code).toBe(0);
  });
});
