import { Injectable } from '@nestjs/common';
import { In, LessThan, MoreThanOrEqual, type Repository } from 'typeorm';
import { DatabaseConnection } from '../database-connection';
import { JobRun, type JobRunStatus } from '../entities';

export type NewJobRun = Omit<JobRun, 'id' | 'finishedAt'> & { finishedAt?: Date | null };
export type JobRunChange = Partial<Omit<JobRun, 'id' | 'jobName' | 'scheduledFor'>>;

/** job_runs: the same TypeORM calls on both dialects. Unique on (job_name, scheduled_for). */
@Injectable()
export class JobRunsRepository {
  constructor(private readonly db: DatabaseConnection) {}

  private get runs(): Repository<JobRun> {
    return this.db.dataSource.getRepository(JobRun);
  }

  /** Inserts a run and reads it back; a taken slot surfaces as the driver's unique violation. */
  async insert(run: NewJobRun): Promise<JobRun> {
    await this.runs.insert(run);
    return this.runs.findOneByOrFail({ jobName: run.jobName, scheduledFor: run.scheduledFor });
  }

  findBySlot(jobName: string, scheduledFor: Date): Promise<JobRun> {
    return this.runs.findOneByOrFail({ jobName, scheduledFor });
  }

  findById(id: number): Promise<JobRun> {
    return this.runs.findOneByOrFail({ id });
  }

  /** Changes run `id` only while its status is still `status`; returns whether it did. */
  async updateIfStatus(id: number, status: JobRunStatus, change: JobRunChange): Promise<boolean> {
    const result = await this.runs.update({ id, status }, change);
    return (result.affected ?? 0) > 0;
  }

  async update(id: number, change: JobRunChange): Promise<JobRun> {
    await this.runs.update({ id }, change);
    return this.runs.findOneByOrFail({ id });
  }

  /**
   * Applies `change` to every `running` row of `jobName` (only to those started before `startedBefore`
   * when given); returns how many rows changed.
   */
  async updateRunning(jobName: string, change: JobRunChange, startedBefore?: Date): Promise<number> {
    const result = await this.runs.update(
      { jobName, status: 'running', ...(startedBefore ? { startedAt: LessThan(startedBefore) } : {}) },
      change,
    );
    return result.affected ?? 0;
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
}
