import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { ApiTags } from '@nestjs/swagger';
import { DataMigrationIndicator } from './indicators/data-migration.indicator';
import { DatabaseIndicator } from './indicators/database.indicator';
import { ProcessIndicator } from './indicators/process.indicator';
import { SchedulerIndicator } from './indicators/scheduler.indicator';
import { SchemaIndicator } from './indicators/schema.indicator';

/** Composes the indicators per probe; each indicator owns its subject and its timeout. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly process: ProcessIndicator,
    private readonly database: DatabaseIndicator,
    private readonly schema: SchemaIndicator,
    private readonly scheduler: SchedulerIndicator,
    private readonly dataMigration: DataMigrationIndicator,
  ) {}

  /** Liveness: no dependencies, answers while the process runs. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([() => this.process.check()]);
  }

  /** Readiness: the database answers within 1 s and the schema migrations are applied. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.database.check(), () => this.schema.check()]);
  }

  /** Details for operators: database and pool, schema, scheduler, last data migration. */
  @Get()
  @HealthCheck()
  details() {
    return this.health.check([
      () => this.database.check(),
      () => this.schema.check(),
      () => this.scheduler.check(),
      () => this.dataMigration.check(),
    ]);
  }
}
