import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { JobBusyError } from '../common/domain-errors';
import {
  addDays,
  latestSlotAtOrBefore,
  type LocalDate,
  localDateOf,
  nextSlotAfter,
} from '../common/zoned-time';
import { AppConfig } from '../config/app-config';
import { DigestBuilder } from '../content/digest-builder.service';
import { LockId } from '../database/advisory-lock';
import { DatabaseConnection } from '../database/database-connection';
import type { DigestRunDetails, JobRun, JobTrigger } from '../database/entities';
import { MetricsService } from '../metrics/metrics.service';
import { DAILY_DIGEST_HOUR, DAILY_DIGEST_JOB } from './daily-digest.schedule';
import { JobRunsService } from './job-runs.service';

/**
 * The 08:00 digest job: which slot, which day, exactly once across replicas (advisory lock + the unique
 * job_runs row), and a job_runs record of every run. Never throws out of a scheduled run: a failure
 * is recorded and logged, and the process carries on.
 */
@Injectable()
export class DailyDigestJob {
  private readonly logger = new Logger(DailyDigestJob.name);

  constructor(
    private readonly db: DatabaseConnection,
    private readonly runs: JobRunsService,
    private readonly builder: DigestBuilder,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  get timeZone(): string {
    return this.config.displayTimeZone;
  }

  /** The local day a slot's digest covers: the calendar day before the slot's. */
  digestDateOf(slot: Date): LocalDate {
    return addDays(localDateOf(slot, this.timeZone), -1);
  }

  latestSlot(): Date {
    return latestSlotAtOrBefore(this.clock.now(), DAILY_DIGEST_HOUR, this.timeZone);
  }

  nextSlot(): Date {
    return nextSlotAfter(this.clock.now(), DAILY_DIGEST_HOUR, this.timeZone);
  }

  /** A cron tick: the slot nearest "now", so a timer firing a little early still names today's slot. */
  onTick(): Promise<JobRun | null> {
    const soon = new Date(this.clock.now().getTime() + 5 * 60 * 1000);
    return this.runSlot(latestSlotAtOrBefore(soon, DAILY_DIGEST_HOUR, this.timeZone), 'schedule');
  }

  /** Start-up: runs the latest slot once if it has no successful run (older slots are not backfilled). */
  async catchUp(): Promise<JobRun | null> {
    const slot = this.latestSlot();
    const digestDate = this.digestDateOf(slot);
    const done = (await this.runs.since(DAILY_DIGEST_JOB, slot)).some(
      (r) => r.status === 'succeeded' && r.details?.digestDate === digestDate,
    );
    if (done) return null;
    this.logger.log(`Catch-up: slot ${slot.toISOString()} (digest of ${digestDate}) has no successful run`);
    return this.runSlot(slot, 'catch-up');
  }

  /**
   * Runs one slot unless it already succeeded or another replica is running it. Returns the finished
   * run, or null when this process did not run it.
   */
  async runSlot(slot: Date, trigger: JobTrigger): Promise<JobRun | null> {
    const digestDate = this.digestDateOf(slot);
    const details: DigestRunDetails = { trigger, digestDate, attempts: 1 };
    try {
      const outcome = await this.db.tryWithLock(LockId.DailyDigest, async (lock) => {
        await this.failInterrupted(lock.acrossProcesses);
        const run = await this.runs.claim(
          DAILY_DIGEST_JOB,
          slot,
          this.clock.now(),
          details,
          lock.acrossProcesses,
        );
        return run ? this.execute(run, digestDate) : null;
      });
      if (!outcome.acquired) {
        this.logger.log(`Slot ${slot.toISOString()}: another instance holds the lock`);
        return null;
      }
      return outcome.value;
    } catch (error) {
      this.logger.error(`Slot ${slot.toISOString()} could not be run: ${describe(error)}`);
      return null;
    }
  }

  /**
   * A manual run for `date` (default: yesterday in DISPLAY_TIMEZONE). Rebuilds that day's digests in
   * place, so reruns never duplicate. Throws JobBusyError while another run holds the lock.
   */
  async runManually(date?: LocalDate): Promise<JobRun> {
    const now = this.clock.now();
    const digestDate = date ?? addDays(localDateOf(now, this.timeZone), -1);
    const details: DigestRunDetails = { trigger: 'manual', digestDate, attempts: 1 };
    const outcome = await this.db.tryWithLock(LockId.DailyDigest, async (lock) => {
      await this.failInterrupted(lock.acrossProcesses);
      const run = await this.runs.recordManual(DAILY_DIGEST_JOB, now, 'running', details);
      return this.execute(run, digestDate);
    });
    if (outcome.acquired) return outcome.value;
    await this.runs.recordManual(DAILY_DIGEST_JOB, now, 'skipped', details, 'another run holds the job lock');
    throw new JobBusyError(`another ${DAILY_DIGEST_JOB} run is in progress; try again when it finishes`);
  }

  /** Records runs cut off by a lost database or a killed process as failed before the next one starts. */
  private async failInterrupted(lockHeld: boolean): Promise<void> {
    const marked = await this.runs.failInterrupted(DAILY_DIGEST_JOB, this.clock.now(), lockHeld);
    if (marked > 0) this.logger.warn(`${DAILY_DIGEST_JOB}: ${marked} interrupted run(s) recorded as failed`);
  }

  private async execute(run: JobRun, digestDate: LocalDate): Promise<JobRun> {
    const started = performance.now();
    const base: DigestRunDetails = { ...run.details, digestDate };
    try {
      const counts = await this.builder.build(digestDate, this.clock.now());
      const durationMs = Math.round(performance.now() - started);
      const finished = await this.runs.finish(run, 'succeeded', this.clock.now(), {
        ...base,
        ...counts,
        durationMs,
      });
      this.observe('succeeded', durationMs);
      this.logger.log(
        `${DAILY_DIGEST_JOB} ${digestDate}: ${counts.digests} digests, ${counts.entries} entries in ${durationMs} ms`,
      );
      return finished;
    } catch (error) {
      const durationMs = Math.round(performance.now() - started);
      this.observe('failed', durationMs);
      this.logger.error(`${DAILY_DIGEST_JOB} ${digestDate} failed: ${describe(error)}`);
      return this.runs.finish(run, 'failed', this.clock.now(), { ...base, durationMs }, describe(error));
    }
  }

  private observe(status: 'succeeded' | 'failed', durationMs: number): void {
    this.metrics.jobRuns.inc({ job: DAILY_DIGEST_JOB, status });
    this.metrics.jobDuration.observe({ job: DAILY_DIGEST_JOB, status }, durationMs / 1000);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
