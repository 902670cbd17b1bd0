import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import type { DatabaseSettings } from '../config/app-config';
import { buildDataSourceOptions } from './data-source-options';
import { describeDatabase } from './describe-database';
import { ENTITIES } from './entities';
import { type HeldLock, LockId, tryWithAdvisoryLock } from './advisory-lock';
import { type Dialect, dialectOf } from './dialect';
import { type PoolStats, readPoolStats } from './pool-stats';

/**
 * "The database the service talks to": the one owner of the current DataSource and the only thing that
 * knows its dialect. Repositories reach the database through it on every call (never keeping a
 * DataSource of their own), so a cut-over can point the whole service at another database in one place.
 */
@Injectable()
export class DatabaseConnection {
  private prepared: DataSource | undefined;

  constructor(@InjectDataSource() private current: DataSource) {}

  get dataSource(): DataSource {
    return this.current;
  }

  /**
   * A cut-over, step 1: opens another database with the service's options (its schema must be up to
   * date already), to switch to later; nothing uses it before switchToPrepared.
   */
  async prepareSwitch(settings: DatabaseSettings): Promise<void> {
    if (this.prepared) return;
    const next = new DataSource({ ...buildDataSourceOptions(settings), entities: ENTITIES });
    await next.initialize();
    if (await next.showMigrations()) {
      await next.destroy();
      throw new Error(
        `${describeDatabase(settings)} has schema migrations pending: start the service on it once, or run them (npx typeorm migration:run), first`,
      );
    }
    this.prepared = next;
  }

  get switchPrepared(): boolean {
    return this.prepared !== undefined;
  }

  /**
   * Step 2: every repository uses the prepared database from its next call on; the replaced one
   * closes once the reads begun on it have had time to finish.
   */
  switchToPrepared(closePreviousAfterMs: number): void {
    const next = this.prepared;
    if (!next) return;
    this.prepared = undefined;
    const previous = this.current;
    this.current = next;
    setTimeout(() => void previous.destroy().catch(() => undefined), closePreviousAfterMs).unref();
  }

  async dropPreparedSwitch(): Promise<void> {
    await this.prepared?.destroy().catch(() => undefined);
    this.prepared = undefined;
  }

  /** The SQLite file the service runs on, if it runs on one. */
  get sqliteFile(): string | undefined {
    const database = this.current.options.database;
    return this.dialect === 'sqlite' && typeof database === 'string' && database !== ':memory:'
      ? database
      : undefined;
  }

  get dialect(): Dialect {
    return dialectOf(this.current);
  }

  /** TypeORM's driver name (`postgres`, `better-sqlite3`), as /health shows it. */
  get driverName(): string {
    return this.current.options.type;
  }

  /** The pg pool TypeORM owns (same connections, same limits); null on SQLite. */
  pool(): Pool | null {
    if (this.dialect !== 'postgres') return null;
    return (this.current.driver as unknown as { master?: Pool }).master ?? null;
  }

  /** Pool counters for /health and /metrics; null on SQLite, which has one connection and no pool. */
  poolStats(): PoolStats | null {
    const pool = this.pool();
    return pool ? readPoolStats(pool) : null;
  }

  /** One trivial round trip: throws when the database does not answer. */
  async ping(): Promise<void> {
    await this.current.query('SELECT 1');
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.current.transaction(work);
  }

  /**
   * Runs `work` holding `lock` across processes, giving up at once when another process holds it (on
   * SQLite `work` just runs). Waiting for a lock is for schema migrations, on sessions of their own.
   */
  tryWithLock<T>(
    lock: LockId,
    work: (held: HeldLock) => Promise<T>,
  ): Promise<{ acquired: true; value: T } | { acquired: false }> {
    return tryWithAdvisoryLock(this.current, lock, work);
  }

  /**
   * One object answering as the variant for the current dialect, chosen at each call, so callers hold
   * a single repository whatever database is behind it.
   */
  byDialect<T extends object>(variants: Record<Dialect, T>): T {
    const bound = new Map<Dialect, Map<PropertyKey, unknown>>();
    const member = (prop: PropertyKey): unknown => {
      const dialect = this.dialect;
      let cache = bound.get(dialect);
      if (!cache) bound.set(dialect, (cache = new Map<PropertyKey, unknown>()));
      if (cache.has(prop)) return cache.get(prop);
      const target = variants[dialect];
      const value: unknown = Reflect.get(target, prop, target);
      // Only methods are cached (bound once per variant); other members are read fresh.
      if (typeof value !== 'function') return value;
      const method = (value as () => unknown).bind(target);
      cache.set(prop, method);
      return method;
    };
    return new Proxy(variants.postgres, {
      get: (_target, prop) => member(prop),
      getPrototypeOf: () => Object.getPrototypeOf(variants[this.dialect]) as object | null,
    });
  }
}
