import { type DynamicModule, Module } from '@nestjs/common';
import type { Clock } from './common/clock';
import { CommonModule } from './common/common.module';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { ContentModule } from './content/content.module';
import { CutoverModule } from './cutover/cutover.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { IntegrityModule } from './integrity/integrity.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { SchedulingModule } from './scheduling/scheduling.module';

/** What tests may swap in a whole app; production passes nothing. */
export interface AppOverrides {
  clock?: Clock;
}

@Module({})
export class AppModule {
  static register(config: AppConfig, overrides: AppOverrides = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        CommonModule.forRoot(overrides.clock),
        LoggingModule,
        DatabaseModule,
        MetricsModule,
        ContentModule,
        SchedulingModule,
        HealthModule,
        CutoverModule,
        IntegrityModule,
      ],
    };
  }
}
