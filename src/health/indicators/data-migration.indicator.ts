import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { InstantFormat } from '../../common/instant-format';
import { DataMigrationRunsRepository } from '../../database/repositories/data-migration-runs/data-migration-runs.repository';
import { describeFailure, withTimeout } from '../with-timeout';

export const DATA_MIGRATION_CHECK_TIMEOUT_MS = 2000;

/** `dataMigration`: the newest run the `migrate` tool recorded in this database, or null. */
@Injectable()
export class DataMigrationIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly runs: DataMigrationRunsRepository,
    private readonly time: InstantFormat,
  ) {}

  async check() {
    const check = this.indicators.check('dataMigration');
    try {
      const last = await withTimeout(this.runs.latest(), DATA_MIGRATION_CHECK_TIMEOUT_MS);
      return check.up({
        lastRun: last && {
          ...last,
          startedAt: this.time.format(last.startedAt),
          finishedAt: this.time.format(last.finishedAt),
        },
      });
    } catch (error) {
      return check.down({ message: describeFailure(error) });
    }
  }
}
