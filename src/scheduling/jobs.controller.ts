import { Body, Controller, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AdminTokenGuard } from '../common/admin-token.guard';
import { InstantFormat } from '../common/instant-format';
import { DailyDigestJob } from './daily-digest.job';
import type { JobRun } from '../database/entities';
import { JobRunsService } from './job-runs.service';
import { JobRunResponse, ListJobRunsQuery, RunDailyDigestDto } from './jobs.dto';

@ApiTags('jobs')
@Controller('jobs')
export class JobsController {
  constructor(
    private readonly job: DailyDigestJob,
    private readonly runs: JobRunsService,
    private readonly time: InstantFormat,
  ) {}

  @Post('daily-digest/run')
  @HttpCode(200)
  @UseGuards(AdminTokenGuard)
  @ApiBearerAuth()
  @ApiOkResponse({ type: JobRunResponse, description: 'the finished run (status succeeded or failed)' })
  @ApiUnauthorizedResponse({ description: 'missing or wrong bearer token' })
  async run(@Body() dto: RunDailyDigestDto): Promise<JobRunResponse> {
    return this.present(await this.job.runManually(dto.date));
  }

  @Get('runs')
  @ApiOkResponse({ type: [JobRunResponse], description: 'newest slot first' })
  async list(@Query() query: ListJobRunsQuery): Promise<JobRunResponse[]> {
    return (await this.runs.list(query.job, query.limit ?? 50)).map((r) => this.present(r));
  }

  private present(run: JobRun): JobRunResponse {
    return {
      id: run.id,
      jobName: run.jobName,
      scheduledFor: this.time.format(run.scheduledFor),
      startedAt: this.time.format(run.startedAt),
      finishedAt: this.time.format(run.finishedAt),
      status: run.status,
      error: run.error,
      durationMs: run.details?.durationMs ?? null,
      details: { ...run.details },
    };
  }
}
