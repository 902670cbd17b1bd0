export interface TestPostgresState {
  adminUrl: string;
  port: number;
  databaseDir: string;
}

const ENV_KEY = 'PGMOVE_TEST_POSTGRES';

/**
 * The global setup hands the test server's address to the suites through the environment: workers and
 * the in-band runner inherit it, and concurrent jest runs on one machine never see each other's server.
 */
export function publishTestPostgresState(state: TestPostgresState): void {
  process.env[ENV_KEY] = JSON.stringify(state);
}

export function testPostgresState(): TestPostgresState {
  const raw = process.env[ENV_KEY];
  if (!raw)
    throw new Error(
      `${ENV_KEY} is not set: run e2e suites through jest (its global setup starts PostgreSQL)`,
    );
  return JSON.parse(raw) as TestPostgresState;
}
