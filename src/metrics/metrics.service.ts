import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DatabaseConnection } from '../database/database-connection';
import type { PoolStats } from '../database/pool-stats';
import {
  type IntegrityRun,
  IntegrityRunsRepository,
} from '../database/repositories/integrity/integrity-runs.repository';

/**
 * The app's Prometheus metrics. One registry per app instance (not prom-client's global one), so
 * several apps in one process, as in the tests, do not collide.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly jobRuns = new Counter({
    name: 'job_runs_total',
    help: 'Job runs by job name and final status',
    labelNames: ['job', 'status'] as const,
    registers: [this.registry],
  });

  readonly jobDuration = new Histogram({
    name: 'job_run_duration_seconds',
    help: 'Job run duration by job name and final status',
    labelNames: ['job', 'status'] as const,
    buckets: [0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900],
    registers: [this.registry],
  });

  constructor(db: DatabaseConnection, integrityRuns: IntegrityRunsRepository) {
    const pool = (name: string, help: string, pick: (s: PoolStats) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          const stats = db.poolStats();
          if (stats) this.set(pick(stats));
        },
      });
    pool('db_pool_connections_total', 'Open database pool connections (busy + idle)', (s) => s.total);
    pool('db_pool_connections_idle', 'Idle database pool connections', (s) => s.idle);
    pool('db_pool_requests_waiting', 'Requests waiting for a database pool connection', (s) => s.waiting);
    pool('db_pool_connections_max', 'Maximum database pool size', (s) => s.max);
    // Read from integrity_runs at each scrape, so every replica reports the last check whichever ran it.
    const integrity = (name: string, help: string, pick: (run: IntegrityRun) => number | null) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        async collect() {
          const last = await integrityRuns.lastFinished().catch(() => null);
          const value = last && pick(last);
          if (value !== null) this.set(value);
        },
      });
    integrity(
      'integrity_check_last_passed',
      'Last finished GET /admin/integrity check: 1 passed, 0 failed or could not finish (absent before the first)',
      (run) => (run.status === 'passed' ? 1 : 0),
    );
    integrity(
      'integrity_check_last_finished_timestamp_seconds',
      'When the last GET /admin/integrity check finished (Unix time)',
      (run) => (run.finishedAt ? run.finishedAt.getTime() / 1000 : null),
    );
    collectDefaultMetrics({ register: this.registry });
  }
}
