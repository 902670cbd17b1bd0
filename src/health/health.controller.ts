import { Controller, Get } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { InstantFormat } from '../common/instant-format';
import { SchemaMigrationService } from '../database/schema-migration.service';
import { DailyDigestJob } from '../scheduling/daily-digest.job';
import { DAILY_DIGEST_JOB } from '../scheduling/daily-digest.schedule';
import { DigestScheduler } from '../scheduling/digest-scheduler';
import { JobRunsService } from '../scheduling/job-runs.service';
import { DataMigrationStatusService } from './data-migration-status.service';
import { poolStats } from './pool-stats';

const DATABASE_PING_TIMEOUT_MS = 1000;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly schema: SchemaMigrationService,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly runs: JobRunsService,
    private readonly job: DailyDigestJob,
    private readonly scheduler: DigestScheduler,
    private readonly dataMigration: DataMigrationStatusService,
    private readonly time: InstantFormat,
  ) {}

  /** Liveness: no dependencies, answers while the process runs. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([() => this.indicators.check('process').up({ pid: process.pid })]);
  }

  /** Readiness: the database answers within 1 s and the schema migrations are applied. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.ping(), () => this.schemaCheck()]);
  }

  /** Details for operators: database and pool, scheduler, last data migration. */
  @Get()
  @HealthCheck()
  details() {
    return this.health.check([
      () => this.ping(),
      () => this.schemaCheck(),
      () => this.schedulerCheck(),
      () => this.dataMigrationCheck(),
    ]);
  }

  private async ping() {
    const result = await this.db.pingCheck('database').withTimeout(DATABASE_PING_TIMEOUT_MS);
    const pool = poolStats(this.dataSource);
    const key = 'database';
    const detail = { ...result[key], dialect: this.dataSource.options.type, pool };
    return { [key]: detail };
  }

  private schemaCheck() {
    const schema = this.indicators.check('schema');
    return this.schema.isApplied() ? schema.up() : schema.down({ message: 'schema migrations not applied' });
  }

  private async schedulerCheck() {
    const check = this.indicators.check('scheduler');
    const base = {
      enabled: this.scheduler.enabled,
      job: DAILY_DIGEST_JOB,
      nextRun: this.scheduler.enabled ? this.time.format(this.job.nextSlot()) : null,
    };
    try {
      const last = await this.runs.latest(DAILY_DIGEST_JOB);
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
      return check.down({ ...base, message: error instanceof Error ? error.message : String(error) });
    }
  }

  private async dataMigrationCheck() {
    const check = this.indicators.check('dataMigration');
    try {
      const last = await this.dataMigration.latest();
      return check.up({
        lastRun: last && {
          ...last,
          startedAt: this.time.format(last.startedAt),
          finishedAt: this.time.format(last.finishedAt),
        },
      });
    } catch (error) {
      return check.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
