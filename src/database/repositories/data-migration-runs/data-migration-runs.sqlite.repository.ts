import { DataMigrationRunsRepository } from './data-migration-runs.repository';

export class SqliteDataMigrationRunsRepository extends DataMigrationRunsRepository {
  protected async tableExists(): Promise<boolean> {
    const rows = await this.db.dataSource.query<{ n: number }[]>(
      `SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'data_migration_runs'`,
    );
    return Number(rows[0]?.n) > 0;
  }
}
