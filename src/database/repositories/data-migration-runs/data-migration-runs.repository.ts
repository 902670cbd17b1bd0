import { readInstant } from '../../db-values';
import type { DatabaseConnection } from '../../database-connection';

/** The newest data_migration_runs row as written by the `migrate` tool (which owns that table). */
interface DataMigrationRunRow {
  id: number | string;
  started_at: unknown;
  finished_at: unknown;
  source: string | null;
  source_sha256: string | null;
  status: string | null;
  verified: boolean | number | null;
  tables_count: number | string | null;
  rows_written: number | string | null;
  rows_rejected: number | string | null;
}

export interface DataMigrationRun {
  id: number;
  startedAt: Date | null;
  finishedAt: Date | null;
  source: string | null;
  sourceSha256: string | null;
  status: string | null;
  verified: boolean | null;
  tablesCount: number | null;
  rowsWritten: number | null;
  rowsRejected: number | null;
}

const toNumber = (v: number | string | null): number | null => (v === null ? null : Number(v));

/**
 * data_migration_runs, read only: the table belongs to the `migrate` tool and exists only where it ran.
 * How to ask whether a table exists differs by dialect; the variants supply that.
 */
export abstract class DataMigrationRunsRepository {
  constructor(protected readonly db: DatabaseConnection) {}

  protected abstract tableExists(): Promise<boolean>;

  /** null when no data migration ever ran against this database (the table does not exist). */
  async latest(): Promise<DataMigrationRun | null> {
    if (!(await this.tableExists())) return null;
    const rows = await this.db.dataSource.query<DataMigrationRunRow[]>(
      `SELECT id, started_at, finished_at, source, source_sha256, status, verified, tables_count,
              rows_written, rows_rejected
         FROM data_migration_runs ORDER BY started_at DESC, id DESC LIMIT 1`,
    );
    const row = rows[0];
    if (!row) return null;
    return {
      id: Number(row.id),
      startedAt: readInstant(row.started_at),
      finishedAt: readInstant(row.finished_at),
      source: row.source,
      sourceSha256: row.source_sha256,
      status: row.status,
      verified: row.verified === null ? null : Boolean(row.verified),
      tablesCount: toNumber(row.tables_count),
      rowsWritten: toNumber(row.rows_written),
      rowsRejected: toNumber(row.rows_rejected),
    };
  }
}
