import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { AppConfig } from '../config/app-config';
import { DailyDigestJob } from './daily-digest.job';
import { DAILY_DIGEST_CRON, DAILY_DIGEST_JOB } from './daily-digest.schedule';

/**
 * Wires the daily digest to @nestjs/schedule. The cron is registered at runtime because its time zone
 * comes from configuration. Every replica registers it; DailyDigestJob makes only one of them run a slot.
 */
@Injectable()
export class DigestScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DigestScheduler.name);
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly job: DailyDigestJob,
    private readonly registry: SchedulerRegistry,
    private readonly config: AppConfig,
  ) {}

  get enabled(): boolean {
    return this.config.schedulerEnabled;
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) {
      this.logger.log('Scheduler disabled (SCHEDULER_ENABLED=false)');
      return;
    }
    const cron = CronJob.from({
      cronTime: DAILY_DIGEST_CRON,
      timeZone: this.config.displayTimeZone,
      waitForCompletion: true,
      onTick: async () => {
        await this.track(this.job.onTick());
      },
      start: true,
    });
    this.registry.addCronJob(DAILY_DIGEST_JOB, cron);
    this.logger.log(
      `${DAILY_DIGEST_JOB} scheduled at 08:00 ${this.config.displayTimeZone}; next ${this.job.nextSlot().toISOString()}`,
    );
    // Catch-up runs in the background so start-up (and readiness) does not wait for a digest build.
    void this.track(this.job.catchUp());
  }

  /** Resolves when no scheduled or catch-up run is in progress. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Graceful shutdown: no new ticks, and a running build finishes before the pool closes. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('cron', DAILY_DIGEST_JOB)) {
      await this.registry.getCronJob(DAILY_DIGEST_JOB).stop();
      this.registry.deleteCronJob(DAILY_DIGEST_JOB);
    }
    await this.idle();
  }

  private track<T>(promise: Promise<T>): Promise<T | undefined> {
    const guarded = promise.catch((error: unknown) => {
      this.logger.error(
        `${DAILY_DIGEST_JOB} run crashed: ${error instanceof Error ? error.message : String(error)}`,
      );
      return undefined;
    });
    this.inFlight.add(guarded);
    void guarded.finally(() => this.inFlight.delete(guarded));
    return guarded;
  }
}
