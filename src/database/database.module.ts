import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { DatabaseConnection } from './database-connection';
import { buildDataSourceOptions } from './data-source-options';
import { ENTITIES } from './entities';
import { PoolWarmUp } from './pool-warm-up';
import { REPOSITORIES, REPOSITORY_PROVIDERS } from './repositories/providers';
import { SchemaMigrationService } from './schema-migration.service';

/** The database the service talks to (DatabaseConnection), the repositories on it, schema migrations. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...buildDataSourceOptions(config.database),
        entities: ENTITIES,
        // Start-up already checked the server is reachable; a later failure should stop, not loop.
        retryAttempts: 0,
      }),
    }),
  ],
  providers: [DatabaseConnection, ...REPOSITORY_PROVIDERS, SchemaMigrationService, PoolWarmUp],
  exports: [DatabaseConnection, ...REPOSITORIES, SchemaMigrationService],
})
export class DatabaseModule {}
