import { Injectable } from '@nestjs/common';
import { type LocalDate, localDayBounds } from '../common/zoned-time';
import { AppConfig } from '../config/app-config';
import {
  type DigestBuildCounts,
  DigestsRepository,
} from '../database/repositories/digests/digests.repository';

export type { DigestBuildCounts } from '../database/repositories/digests/digests.repository';

/**
 * Builds every active subscriber's digest of one local calendar day. The repository runs it in one
 * transaction, so a run that fails (or whose database goes away) leaves nothing half-applied, and a
 * rerun of the same day replaces each digest's entries instead of adding a second digest.
 */
@Injectable()
export class DigestBuilder {
  constructor(
    private readonly digests: DigestsRepository,
    private readonly config: AppConfig,
  ) {}

  build(date: LocalDate, generatedAt: Date): Promise<DigestBuildCounts> {
    // The day is [00:00, 24:00) on the display zone's wall clock: 23 or 25 hours on DST change days.
    return this.digests.rebuildDay(date, localDayBounds(date, this.config.displayTimeZone), generatedAt);
  }
}
