import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseModule } from '../database/database.module';
import { SchedulingModule } from '../scheduling/scheduling.module';
import { DataMigrationStatusService } from './data-migration-status.service';
import { HealthController } from './health.controller';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), DatabaseModule, SchedulingModule],
  controllers: [HealthController],
  providers: [DataMigrationStatusService],
})
export class HealthModule {}
