import { Controller, Get } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { SchemaMigrationService } from '../database/schema-migration.service';

const DATABASE_PING_TIMEOUT_MS = 1000;

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly schema: SchemaMigrationService,
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
    return this.health.check([
      () => this.db.pingCheck('database').withTimeout(DATABASE_PING_TIMEOUT_MS),
      () => {
        const schema = this.indicators.check('schema');
        return this.schema.isApplied()
          ? schema.up()
          : schema.down({ message: 'schema migrations not applied' });
      },
    ]);
  }
}
