import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const JOB_RUN_STATUSES = ['running', 'succeeded', 'failed', 'skipped'] as const;
export type JobRunStatus = (typeof JOB_RUN_STATUSES)[number];

export type JobTrigger = 'schedule' | 'catch-up' | 'manual';

export interface DigestRunDetails {
  trigger: JobTrigger;
  digestDate: string;
  attempts: number;
  subscribers?: number;
  digests?: number;
  entries?: number;
  durationMs?: number;
}

@Entity('job_runs')
export class JobRun {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'job_name', type: 'varchar', length: 100 })
  jobName!: string;

  /** The slot this run is for: the 08:00 instant for scheduled runs, the trigger instant for manual ones. */
  @Column({ name: 'scheduled_for' })
  scheduledFor!: Date;

  @Column({ name: 'started_at' })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: Date, nullable: true })
  finishedAt!: Date | null;

  @Column({ type: 'varchar', length: 20 })
  status!: JobRunStatus;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'json' })
  details!: DigestRunDetails;
}
