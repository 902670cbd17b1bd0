import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { type HeldLock, LockId, tryWithAdvisoryLock, withAdvisoryLock } from './advisory-lock';
import { type Dialect, dialectOf } from './dialect';
import { type PoolStats, readPoolStats } from './pool-stats';

/**
 * "The database the service talks to": the one owner of the current DataSource and the only thing that
 * knows its dialect. Repositories reach the database through it on every call (never keeping a
 * DataSource of their own), so a cut-over can point the whole service at another database in one place.
 */
@Injectable()
export class DatabaseConnection {
  constructor(@InjectDataSource() private readonly current: DataSource) {}

  get dataSource(): DataSource {
    return this.current;
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

  /** Runs `work` holding `lock` across processes (waiting for it); on SQLite `work` just runs. */
  withLock<T>(lock: LockId, work: (held: HeldLock) => Promise<T>): Promise<T> {
    return withAdvisoryLock(this.current, lock, work);
  }

  /** Like withLock but gives up at once when another process holds `lock`. */
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
