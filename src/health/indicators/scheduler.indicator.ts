import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { InstantFormat } from '../../common/instant-format';
import { DailyDigestJob } from '../../scheduling/daily-digest.job';
import { DAILY_DIGEST_JOB } from '../../scheduling/daily-digest.schedule';
import { DigestScheduler } from '../../scheduling/digest-scheduler';
import { JobRunsService } from '../../scheduling/job-runs.service';
import { describeFailure, withTimeout } from '../with-timeout';

export const SCHEDULER_CHECK_TIMEOUT_MS = 2000;

/** `scheduler`: whether the daily digest is scheduled here, its next slot and its last run. */
@Injectable()
export class SchedulerIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly scheduler: DigestScheduler,
    private readonly job: DailyDigestJob,
    private readonly runs: JobRunsService,
    private readonly time: InstantFormat,
  ) {}

  async check() {
    const check = this.indicators.check('scheduler');
    const base = {
      enabled: this.scheduler.enabled,
      job: DAILY_DIGEST_JOB,
      nextRun: this.scheduler.enabled ? this.time.format(this.job.nextSlot()) : null,
    };
    try {
      const last = await withTimeout(this.runs.latest(DAILY_DIGEST_JOB), SCHEDULER_CHECK_TIMEOUT_MS);
      return check.up({
        ...base,
        lastRun: last && {
          id: last.id,
          scheduledFor: this.time.format(last.scheduledFor),
          status: last.status,
          finishedAt: this.time.format(last.finishedAt),
          error: last.error,
        },
      });
    } catch (error) {
      return check.down({ ...base, message: describeFailure(error) });
    }
  }
}
