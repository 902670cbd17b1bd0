import { Injectable } from '@nestjs/common';
import { isUniqueViolation } from '../common/database-errors';
import type { DigestRunDetails, JobRun, JobRunStatus } from '../database/entities';
import { JobRunsRepository } from '../database/repositories/job-runs.repository';

/** Without advisory locks (SQLite), a "running" row this old is taken to belong to a dead process. */
const STALE_RUNNING_MS = 30 * 60 * 1000;
const MAX_INSTANT_PROBES = 1000;
export const INTERRUPTED_ERROR =
  'interrupted: the process or its database connection was lost during the run';

/** The rules of job_runs: one row per slot of a scheduled job, one per manual run. */
@Injectable()
export class JobRunsService {
  constructor(private readonly runs: JobRunsRepository) {}

  /**
   * Claims the run of `scheduledFor` for this process: inserts its row as running, or takes over a row
   * left failed (a retry) or left running by a process that died. Returns null when the slot already
   * succeeded or is running elsewhere. The unique (job_name, scheduled_for) key makes two claims of a new
   * slot impossible; `lockHeld` says the caller holds the job's lock across processes, so no live
   * process can own a running row.
   */
  async claim(
    jobName: string,
    scheduledFor: Date,
    startedAt: Date,
    details: DigestRunDetails,
    lockHeld: boolean,
  ): Promise<JobRun | null> {
    try {
      return await this.runs.insert({
        jobName,
        scheduledFor,
        startedAt,
        status: 'running',
        details,
        error: null,
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    const existing = await this.runs.findBySlot(jobName, scheduledFor);
    const stale =
      existing.status === 'running' &&
      (lockHeld || startedAt.getTime() - existing.startedAt.getTime() > STALE_RUNNING_MS);
    if (existing.status !== 'failed' && !stale) return null;
    const attempts = (existing.details?.attempts ?? 1) + 1;
    const taken = await this.runs.updateIfStatus(existing.id, existing.status, {
      status: 'running',
      startedAt,
      finishedAt: null,
      error: null,
      details: { ...details, attempts },
    });
    return taken ? this.runs.findById(existing.id) : null;
  }

  /**
   * Marks runs left `running` by a process or database connection that is gone as failed, so job_runs
   * tells the truth and a retry takes over a failed row. With `lockHeld` (the caller holds the job's
   * lock across processes, so no live process is running it) every running row is orphaned; without it
   * only rows older than the stale limit are. Returns how many rows were marked.
   */
  failInterrupted(jobName: string, now: Date, lockHeld: boolean): Promise<number> {
    return this.runs.updateRunning(
      jobName,
      { status: 'failed', finishedAt: now, error: INTERRUPTED_ERROR },
      lockHeld ? undefined : new Date(now.getTime() - STALE_RUNNING_MS),
    );
  }

  /**
   * Inserts the row of a manual run (status running) or of one that did not happen (skipped). Its key is
   * the trigger instant; when another run already has that instant (two triggers in one millisecond, or
   * a stopped test clock) the next free millisecond is used.
   */
  async recordManual(
    jobName: string,
    at: Date,
    status: 'running' | 'skipped',
    details: DigestRunDetails,
    error: string | null = null,
  ): Promise<JobRun> {
    for (let offset = 0; offset < MAX_INSTANT_PROBES; offset++) {
      const scheduledFor = new Date(at.getTime() + offset);
      try {
        return await this.runs.insert({
          jobName,
          scheduledFor,
          startedAt: at,
          finishedAt: status === 'skipped' ? at : null,
          status,
          details,
          error,
        });
      } catch (e) {
        if (!isUniqueViolation(e)) throw e;
      }
    }
    throw new Error(`no free job_runs key near ${at.toISOString()} for ${jobName}`);
  }

  finish(
    run: JobRun,
    status: Exclude<JobRunStatus, 'running'>,
    finishedAt: Date,
    details: DigestRunDetails,
    error: string | null = null,
  ): Promise<JobRun> {
    return this.runs.update(run.id, { status, finishedAt, details, error });
  }

  /** Runs for slots at or after `since`, oldest first. */
  since(jobName: string, since: Date): Promise<JobRun[]> {
    return this.runs.since(jobName, since);
  }

  list(jobName: string | undefined, limit: number): Promise<JobRun[]> {
    return this.runs.list(jobName, limit);
  }

  latest(jobName: string, statuses?: JobRunStatus[]): Promise<JobRun | null> {
    return this.runs.latest(jobName, statuses);
  }
}
