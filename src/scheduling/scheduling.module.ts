import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { ContentModule } from '../content/content.module';
import { DatabaseModule } from '../database/database.module';
import { DailyDigestJob } from './daily-digest.job';
import { DigestScheduler } from './digest-scheduler';
import { JobRunsService } from './job-runs.service';
import { JobsController } from './jobs.controller';

@Module({
  imports: [ScheduleModule.forRoot(), DatabaseModule, ContentModule],
  controllers: [JobsController],
  providers: [JobRunsService, DailyDigestJob, DigestScheduler],
  exports: [JobRunsService, DailyDigestJob, DigestScheduler],
})
export class SchedulingModule {}
