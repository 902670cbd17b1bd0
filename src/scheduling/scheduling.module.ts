import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ContentModule } from '../content/content.module';
import { DailyDigestJob } from './daily-digest.job';
import { DigestScheduler } from './digest-scheduler';
import { JobRun } from './job-run.entity';
import { JobRunsService } from './job-runs.service';
import { JobsController } from './jobs.controller';

@Module({
  imports: [ScheduleModule.forRoot(), TypeOrmModule.forFeature([JobRun]), ContentModule],
  controllers: [JobsController],
  providers: [JobRunsService, DailyDigestJob, DigestScheduler],
  exports: [JobRunsService, DailyDigestJob, DigestScheduler],
})
export class SchedulingModule {}
