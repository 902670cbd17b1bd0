import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseModule } from '../database/database.module';
import { SchedulingModule } from '../scheduling/scheduling.module';
import { HealthController } from './health.controller';
import { DataMigrationIndicator } from './indicators/data-migration.indicator';
import { DatabaseIndicator } from './indicators/database.indicator';
import { ProcessIndicator } from './indicators/process.indicator';
import { SchedulerIndicator } from './indicators/scheduler.indicator';
import { SchemaIndicator } from './indicators/schema.indicator';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), DatabaseModule, SchedulingModule],
  controllers: [HealthController],
  providers: [
    ProcessIndicator,
    DatabaseIndicator,
    SchemaIndicator,
    SchedulerIndicator,
    DataMigrationIndicator,
  ],
})
export class HealthModule {}
