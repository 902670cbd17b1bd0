import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { instantParameter } from '../common/db-values';
import { type LocalDate, localDayBounds } from '../common/zoned-time';
import { Digest, DigestEntry, Subscriber } from './entities';

export interface DigestBuildCounts {
  subscribers: number;
  digests: number;
  entries: number;
}

const INSERT_CHUNK = 500;

/**
 * Builds every active subscriber's digest of one local calendar day. Runs in one transaction, so a run
 * that fails (or whose database goes away) leaves nothing half-applied, and a rerun of the same day
 * replaces each digest's entries instead of adding a second digest.
 */
@Injectable()
export class DigestBuilder {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  build(date: LocalDate, generatedAt: Date): Promise<DigestBuildCounts> {
    return this.dataSource.transaction((manager) => this.buildIn(manager, date, generatedAt));
  }

  private async buildIn(
    manager: EntityManager,
    date: LocalDate,
    generatedAt: Date,
  ): Promise<DigestBuildCounts> {
    // The day is [00:00, 24:00) on the display zone's wall clock: 23 or 25 hours on DST change days.
    const { start, end } = localDayBounds(date, this.config.displayTimeZone);
    const isPostgres = this.dataSource.options.type === 'postgres';
    const instant = (name: string): string => (isPostgres ? `CAST(:${name} AS timestamptz)` : `:${name}`);
    const subscribers = await manager.find(Subscriber, {
      select: { id: true },
      where: { isActive: true },
      order: { id: 'ASC' },
    });
    let entryTotal = 0;
    for (const subscriber of subscribers) {
      const rows = await manager
        .createQueryBuilder()
        .select('e.id', 'id')
        .from('entries', 'e')
        .innerJoin('subscriptions', 's', 's.source_id = e.source_id')
        .innerJoin('sources', 'src', 'src.id = e.source_id')
        .where('s.subscriber_id = :subscriberId', { subscriberId: subscriber.id })
        .andWhere('src.is_active = :active', { active: true })
        .andWhere(`e.published_at >= ${instant('start')}`, {
          start: instantParameter(this.dataSource, start),
        })
        .andWhere(`e.published_at < ${instant('end')}`, { end: instantParameter(this.dataSource, end) })
        .orderBy('e.published_at', 'ASC')
        .addOrderBy('e.id', 'ASC')
        .getRawMany<{ id: string | number }>();
      const entryIds = rows.map((r) => Number(r.id));
      const digestId = await this.upsertDigest(manager, subscriber.id, date, entryIds.length, generatedAt);
      await manager.delete(DigestEntry, { digestId });
      for (let i = 0; i < entryIds.length; i += INSERT_CHUNK) {
        await manager.insert(
          DigestEntry,
          entryIds
            .slice(i, i + INSERT_CHUNK)
            .map((entryId, k) => ({ digestId, entryId, position: i + k + 1 })),
        );
      }
      entryTotal += entryIds.length;
    }
    return { subscribers: subscribers.length, digests: subscribers.length, entries: entryTotal };
  }

  private async upsertDigest(
    manager: EntityManager,
    subscriberId: number,
    digestDate: LocalDate,
    entryCount: number,
    generatedAt: Date,
  ): Promise<number> {
    const existing = await manager.findOne(Digest, {
      select: { id: true },
      where: { subscriberId, digestDate },
    });
    if (existing) {
      await manager.update(Digest, { id: existing.id }, { entryCount, generatedAt });
      return existing.id;
    }
    const inserted = await manager.insert(Digest, { subscriberId, digestDate, entryCount, generatedAt });
    const id = (inserted.identifiers[0] as { id?: number } | undefined)?.id;
    if (id === undefined) throw new Error(`digest insert for subscriber ${subscriberId} returned no id`);
    return id;
  }
}
