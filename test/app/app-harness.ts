import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ManualClock } from '../../src/common/clock';
import { loadConfig } from '../../src/config/app-config';
import { createApp } from '../../src/server';
import { createTestDatabase } from '../support/test-database';

export type Dialect = 'postgres' | 'sqlite';
export const DIALECTS: Dialect[] = ['postgres', 'sqlite'];
export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestStore {
  url: string;
  drop(): Promise<void>;
}

/** A fresh empty database of the given dialect. */
export async function createStore(dialect: Dialect, name: string): Promise<TestStore> {
  if (dialect === 'postgres') return createTestDatabase(name);
  const dir = mkdtempSync(join(tmpdir(), `pgmove-${name}-`));
  return {
    url: `sqlite://${join(dir, 'app.sqlite')}`,
    drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  };
}

export interface TestApp {
  app: INestApplication;
  clock: ManualClock;
  dataSource: DataSource;
  close(): Promise<void>;
}

export async function bootApp(
  url: string,
  options: { now?: string; scheduler?: boolean; env?: Record<string, string> } = {},
): Promise<TestApp> {
  const clock = new ManualClock(options.now ?? '2026-11-26T12:00:00Z');
  const config = loadConfig({
    DATABASE_URL: url,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ADMIN_TOKEN,
    SCHEDULER_ENABLED: options.scheduler ? 'true' : 'false',
    ...options.env,
  });
  const app = await createApp(config, { clock });
  await app.init();
  return { app, clock, dataSource: app.get(DataSource), close: () => app.close() };
}
