import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { LockId, withAdvisoryLock } from './advisory-lock';
import { DatabaseConnection } from './database-connection';
import { buildDataSourceOptions } from './data-source-options';

export const MINIMUM_POSTGRES_MAJOR = 16;

/** Applies pending schema migrations at start-up, one replica at a time, and checks the server version. */
@Injectable()
export class SchemaMigrationService implements OnModuleInit {
  private readonly logger = new Logger(SchemaMigrationService.name);
  private applied = false;

  constructor(
    private readonly db: DatabaseConnection,
    private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.db.dialect === 'postgres') await this.warnOnOldServer();
    const ran = await this.onAdminSessions((dataSource) =>
      withAdvisoryLock(dataSource, LockId.SchemaMigrations, () =>
        dataSource.runMigrations({ transaction: 'each' }),
      ),
    );
    if (ran.length > 0) this.logger.log(`Applied schema migrations: ${ran.map((m) => m.name).join(', ')}`);
    this.applied = true;
  }

  /**
   * On PostgreSQL, two connections of their own without the request timeouts: a migration, or the wait
   * for another replica's, may rightly outlast DB_STATEMENT_TIMEOUT_MS. SQLite has no such timeouts
   * (and an in-memory database exists only on its one connection), so it uses the service's.
   */
  private async onAdminSessions<T>(work: (dataSource: DataSource) => Promise<T>): Promise<T> {
    const settings = this.config.database;
    if (settings.kind !== 'postgres') return work(this.db.dataSource);
    const admin = new DataSource(buildDataSourceOptions({ ...settings, poolMax: 2, poolMin: 0 }, 'admin'));
    await admin.initialize();
    try {
      return await work(admin);
    } finally {
      await admin.destroy();
    }
  }

  /** True once this process has brought the schema up to date. */
  isApplied(): boolean {
    return this.applied;
  }

  private async warnOnOldServer(): Promise<void> {
    const rows = await this.db.dataSource.query<{ server_version_num: string }[]>('SHOW server_version_num');
    const major = Math.floor(Number(rows[0]?.server_version_num ?? 0) / 10000);
    if (major < MINIMUM_POSTGRES_MAJOR) {
      this.logger.warn(
        `PostgreSQL ${major} detected; this service is built and tested for PostgreSQL 16 or newer`,
      );
    }
  }
}
