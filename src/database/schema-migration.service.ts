import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { LockId } from './advisory-lock';
import { DatabaseConnection } from './database-connection';

export const MINIMUM_POSTGRES_MAJOR = 16;

/** Applies pending schema migrations at start-up, one replica at a time, and checks the server version. */
@Injectable()
export class SchemaMigrationService implements OnModuleInit {
  private readonly logger = new Logger(SchemaMigrationService.name);
  private applied = false;

  constructor(private readonly db: DatabaseConnection) {}

  async onModuleInit(): Promise<void> {
    if (this.db.dialect === 'postgres') await this.warnOnOldServer();
    const ran = await this.db.withLock(LockId.SchemaMigrations, () =>
      this.db.dataSource.runMigrations({ transaction: 'each' }),
    );
    if (ran.length > 0) this.logger.log(`Applied schema migrations: ${ran.map((m) => m.name).join(', ')}`);
    this.applied = true;
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
