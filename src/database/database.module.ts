import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { buildDataSourceOptions } from './data-source-options';
import { PoolWarmUp } from './pool-warm-up';
import { SchemaMigrationService } from './schema-migration.service';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...buildDataSourceOptions(config.database),
        autoLoadEntities: true,
        // Start-up already checked the server is reachable; a later failure should stop, not loop.
        retryAttempts: 0,
      }),
    }),
  ],
  providers: [SchemaMigrationService, PoolWarmUp],
  exports: [SchemaMigrationService],
})
export class DatabaseModule {}
