import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, LessThan, MoreThanOrEqual, type Repository } from 'typeorm';
import { isUniqueViolation } from '../common/database-errors';
import { type DigestRunDetails, JobRun, type JobRunStatus } from './job-run.entity';

/** Without advisory locks (SQLite), a "running" row this old is taken to belong to a dead process. */
const STALE_RUNNING_MS = 30 * 60 * 1000;
const MAX_INSTANT_PROBES = 1000;
export const INTERRUPTED_ERROR =
  'interrupted: the process or its database connection was lost during the run';

/** job_runs: one row per slot of a scheduled job, one per manual run. */
@Injectable()
export class JobRunsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(JobRun) private readonly runs: Repository<JobRun>,
  ) {}

  /**
   * Claims the run of `scheduledFor` for this process: inserts its row as running, or takes over a row
   * left failed (a retry) or left running by a process that died. Returns null when the slot already
   * succeeded or is running elsewhere. The unique (job_name, scheduled_for) key makes two claims of a new
   * slot impossible; `lockHeld` says the caller holds the job's advisory lock, so no live process can
   * own a running row.
   */
  async claim(
    jobName: string,
    scheduledFor: Date,
    startedAt: Date,
    details: DigestRunDetails,
    lockHeld: boolean,
  ): Promise<JobRun | null> {
    try {
      await this.runs.insert({ jobName, scheduledFor, startedAt, status: 'running', details, error: null });
      return await this.runs.findOneByOrFail({ jobName, scheduledFor });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    const existing = await this.runs.findOneByOrFail({ jobName, scheduledFor });
    const stale =
      existing.status === 'running' &&
      (lockHeld || startedAt.getTime() - existing.startedAt.getTime() > STALE_RUNNING_MS);
    if (existing.status !== 'failed' && !stale) return null;
    const attempts = (existing.details?.attempts ?? 1) + 1;
    const result = await this.runs.update(
      { id: existing.id, status: existing.status },
      { status: 'running', startedAt, finishedAt: null, error: null, details: { ...details, attempts } },
    );
    if (!result.affected) return null;
    return this.runs.findOneByOrFail({ id: existing.id });
  }

  /**
   * Marks runs left `running` by a process or database connection that is gone as failed, so job_runs
   * tells the truth and a retry takes over a failed row. With `lockHeld` (the caller holds the job's
   * advisory lock, so no live process is running it) every running row is orphaned; without it only
   * rows older than the stale limit are. Returns how many rows were marked.
   */
  async failInterrupted(jobName: string, now: Date, lockHeld: boolean): Promise<number> {
    const result = await this.runs.update(
      {
        jobName,
        status: 'running',
        ...(lockHeld ? {} : { startedAt: LessThan(new Date(now.getTime() - STALE_RUNNING_MS)) }),
      },
      { status: 'failed', finishedAt: now, error: INTERRUPTED_ERROR },
    );
    return result.affected ?? 0;
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
        await this.runs.insert({
          jobName,
          scheduledFor,
          startedAt: at,
          finishedAt: status === 'skipped' ? at : null,
          status,
          details,
          error,
        });
        return await this.runs.findOneByOrFail({ jobName, scheduledFor });
      } catch (e) {
        if (!isUniqueViolation(e)) throw e;
      }
    }
    throw new Error(`no free job_runs key near ${at.toISOString()} for ${jobName}`);
  }

  async finish(
    run: JobRun,
    status: Exclude<JobRunStatus, 'running'>,
    finishedAt: Date,
    details: DigestRunDetails,
    error: string | null = null,
  ): Promise<JobRun> {
    await this.runs.update({ id: run.id }, { status, finishedAt, details, error });
    return this.runs.findOneByOrFail({ id: run.id });
  }

  /** Runs for slots at or after `since`, oldest first (served by the unique key's index). */
  since(jobName: string, since: Date): Promise<JobRun[]> {
    return this.runs.find({
      where: { jobName, scheduledFor: MoreThanOrEqual(since) },
      order: { scheduledFor: 'ASC' },
    });
  }

  list(jobName: string | undefined, limit: number): Promise<JobRun[]> {
    return this.runs.find({
      where: jobName === undefined ? {} : { jobName },
      order: { scheduledFor: 'DESC', id: 'DESC' },
      take: limit,
    });
  }

  latest(jobName: string, statuses?: JobRunStatus[]): Promise<JobRun | null> {
    return this.runs.findOne({
      where: statuses ? { jobName, status: In(statuses) } : { jobName },
      order: { scheduledFor: 'DESC', id: 'DESC' },
    });
  }

  get isPostgres(): boolean {
    return this.dataSource.options.type === 'postgres';
  }
}
