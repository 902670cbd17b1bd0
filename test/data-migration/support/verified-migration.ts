import type { MigrationReport } from '../../../src/data-migration/model/report';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';
import { readReport, runMigrate } from './migrate-cli';

/**
 * `migrate` of `source` into `target` (with `args`), expecting a quiet stderr, `exitCode` and a
 * passed verification with no schema problem; returns the report.
 */
export async function migrateVerified(
  source: string,
  target: string,
  report: string,
  exitCode: 0 | 3,
  args: string[] = [],
): Promise<MigrationReport> {
  const result = await runMigrate(['--source', source, '--target', target, '--report', report, ...args]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(exitCode);
  const json = readReport(report);
  expect(json.verification).toMatchObject({ ok: true, schemaProblems: [] });
  return json;
}

/** Fresh target databases for one suite, all dropped by `dropAll` (call it in afterAll). */
export function targetDatabases(prefix: string): {
  create(): Promise<TestDatabase>;
  dropAll(): Promise<void>;
} {
  const all: TestDatabase[] = [];
  return {
    async create() {
      const t = await createTestDatabase(prefix);
      all.push(t);
      return t;
    },
    async dropAll() {
      for (const t of all) await t.drop();
    },
  };
}
