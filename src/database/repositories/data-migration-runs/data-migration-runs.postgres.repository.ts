import { DataMigrationRunsRepository } from './data-migration-runs.repository';

export class PostgresDataMigrationRunsRepository extends DataMigrationRunsRepository {
  protected async tableExists(): Promise<boolean> {
    const rows = await this.db.dataSource.query<{ found: boolean }[]>(
      `SELECT to_regclass('data_migration_runs') IS NOT NULL AS found`,
    );
    return rows[0]?.found === true;
  }
}
