import type { DataSource } from 'typeorm';

export interface PoolStats {
  /** Connections open (busy + idle). */
  total: number;
  idle: number;
  /** Requests queued for a connection. */
  waiting: number;
  max: number;
}

interface PgPoolLike {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options?: { max?: number };
}

/** The pg pool's counters; null on SQLite, which has one connection and no pool. */
export function poolStats(dataSource: DataSource): PoolStats | null {
  if (dataSource.options.type !== 'postgres') return null;
  const pool = (dataSource.driver as unknown as { master?: PgPoolLike }).master;
  if (!pool) return null;
  return {
    total: pool.totalCount,
    idle: pool.idleCount,
    waiting: pool.waitingCount,
    max: pool.options?.max ?? 0,
  };
}
