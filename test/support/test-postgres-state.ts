import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPostgresState {
  adminUrl: string;
  port: number;
  databaseDir: string;
}

/** Where the global setup leaves the test server's address for the suites (one file per jest run). */
export const TEST_PG_STATE_FILE = join(tmpdir(), `pgmove-test-pg-${process.env.JEST_RUN_ID ?? 'state'}.json`);

export function testPostgresState(): TestPostgresState {
  return JSON.parse(readFileSync(TEST_PG_STATE_FILE, 'utf8')) as TestPostgresState;
}
