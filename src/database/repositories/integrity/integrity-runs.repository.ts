import { Injectable } from '@nestjs/common';
import { readInstant } from '../../db-values';
import { isUniqueViolation } from '../../../common/database-errors';
import { DatabaseConnection } from '../../database-connection';

export type IntegrityStatus = 'running' | 'passed' | 'failed' | 'error';

export interface IntegrityRun {
  id: number;
  startedAt: Date | null;
  finishedAt: Date | null;
  source: string | null;
  status: IntegrityStatus;
  progress: Record<string, unknown>;
  result: Record<string, unknown> | null;
}

interface IntegrityRunRow {
  id: number;
  started_at: unknown;
  finished_at: unknown;
  source: string | null;
  status: IntegrityStatus;
  progress: Record<string, unknown>;
  result: Record<string, unknown> | null;
}

const COLUMNS = 'id, started_at, finished_at, source, status, progress, result';

const fromRow = (row: IntegrityRunRow): IntegrityRun => ({
  id: Number(row.id),
  startedAt: readInstant(row.started_at),
  finishedAt: readInstant(row.finished_at),
  source: row.source,
  status: row.status,
  progress: row.progress,
  result: row.result,
});

/** integrity_runs on PostgreSQL (the check runs there only): one row per check, one `running` at a time. */
@Injectable()
export class IntegrityRunsRepository {
  constructor(private readonly db: DatabaseConnection) {}

  /** A new running check, or null when a row is still `running` (the partial unique index says so). */
  async start(source: string | null): Promise<IntegrityRun | null> {
    try {
      const rows = await this.db.dataSource.query<IntegrityRunRow[]>(
        `INSERT INTO integrity_runs (source, status) VALUES ($1, 'running') RETURNING ${COLUMNS}`,
        [source],
      );
      return rows[0] ? fromRow(rows[0]) : null;
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  async running(): Promise<IntegrityRun | null> {
    const rows = await this.db.dataSource.query<IntegrityRunRow[]>(
      `SELECT ${COLUMNS} FROM integrity_runs WHERE status = 'running' LIMIT 1`,
    );
    return rows[0] ? fromRow(rows[0]) : null;
  }

  async find(id: number): Promise<IntegrityRun | null> {
    const rows = await this.db.dataSource.query<IntegrityRunRow[]>(
      `SELECT ${COLUMNS} FROM integrity_runs WHERE id = $1`,
      [id],
    );
    return rows[0] ? fromRow(rows[0]) : null;
  }

  /** The newest finished check, for the metric. */
  async lastFinished(): Promise<IntegrityRun | null> {
    const rows = await this.db.dataSource.query<IntegrityRunRow[]>(
      `SELECT ${COLUMNS} FROM integrity_runs WHERE status <> 'running' ORDER BY id DESC LIMIT 1`,
    );
    return rows[0] ? fromRow(rows[0]) : null;
  }

  async progress(id: number, progress: Record<string, unknown>): Promise<void> {
    await this.db.dataSource.query(`UPDATE integrity_runs SET progress = $2::jsonb WHERE id = $1`, [
      id,
      JSON.stringify(progress),
    ]);
  }

  async finish(id: number, status: Exclude<IntegrityStatus, 'running'>, result: unknown): Promise<void> {
    await this.db.dataSource.query(
      `UPDATE integrity_runs SET status = $2, finished_at = now(), result = $3::jsonb WHERE id = $1`,
      [id, status, JSON.stringify(result)],
    );
  }

  /**
   * Marks a check left `running` as `error`: called only by a check that holds the IntegrityCheck
   * lock, so the process that ran it is gone (it would hold the lock otherwise).
   */
  async abandonRunning(error: string): Promise<void> {
    await this.db.dataSource.query(
      `UPDATE integrity_runs SET status = 'error', finished_at = now(), result = jsonb_build_object('error', $1::text)
        WHERE status = 'running'`,
      [error],
    );
  }
}
