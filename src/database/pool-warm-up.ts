import { type BeforeApplicationShutdown, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Pool } from 'pg';
import { AppConfig } from '../config/app-config';
import { DatabaseConnection } from './database-connection';

/**
 * Opens DB_POOL_MIN connections as soon as the app is up, without holding up start-up. Otherwise the
 * first burst of concurrent requests waits behind connection set-up (TCP, SCRAM, a new backend) for
 * every connection the pool grows by, which showed in the p99 of the first seconds under load.
 * Best effort: a connection that fails now is opened on demand later, as without a warm-up.
 */
@Injectable()
export class PoolWarmUp implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private warming: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: DatabaseConnection,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const pool = this.db.pool();
    const settings = this.config.database;
    // Only a pg pool has connections to open; its settings carry DB_POOL_MIN.
    if (pool && 'poolMin' in settings) this.warming = warmUp(pool, settings.poolMin);
  }

  /** Shutting down ends the pool; the warm-up's connections must be back in it by then. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.warming;
  }
}

/**
 * Asks for `count` connections at once, so the pool opens that many (idle ones count), and gives each
 * back as soon as it is ready: a request queued behind the warm-up gets the first one.
 */
async function warmUp(pool: Pool, count: number): Promise<void> {
  if (count <= 0) return;
  await Promise.allSettled(
    Array.from({ length: count }, () => pool.connect().then((client) => client.release())),
  );
}
