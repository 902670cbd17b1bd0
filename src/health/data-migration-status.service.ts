import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { readInstant } from '../common/db-values';

/** The newest data_migration_runs row as written by the `migrate` tool (which owns that table). */
export interface DataMigrationRunRow {
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

export interface DataMigrationStatus {
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

@Injectable()
export class DataMigrationStatusService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** null when no data migration ever ran against this database (the table does not exist). */
  async latest(): Promise<DataMigrationStatus | null> {
    if (!(await this.tableExists())) return null;
    const rows = await this.dataSource.query<DataMigrationRunRow[]>(
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

  private async tableExists(): Promise<boolean> {
    if (this.dataSource.options.type === 'postgres') {
      const rows = await this.dataSource.query<{ found: boolean }[]>(
        `SELECT to_regclass('data_migration_runs') IS NOT NULL AS found`,
      );
      return rows[0]?.found === true;
    }
    const rows = await this.dataSource.query<{ n: number }[]>(
      `SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'data_migration_runs'`,
    );
    return Number(rows[0]?.n) > 0;
  }
}
