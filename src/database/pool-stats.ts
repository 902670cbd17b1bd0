import type { Pool } from 'pg';

export interface PoolStats {
  /** Connections open (busy + idle). */
  total: number;
  idle: number;
  /** Requests queued for a connection. */
  waiting: number;
  max: number;
}

/** The pg pool's counters, as /health and /metrics show them. */
export function readPoolStats(pool: Pool): PoolStats {
  return {
    total: pool.totalCount,
    idle: pool.idleCount,
    waiting: pool.waitingCount,
    max: (pool as unknown as { options?: { max?: number } }).options?.max ?? 0,
  };
}
