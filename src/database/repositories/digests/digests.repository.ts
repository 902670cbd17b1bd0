import {
  Between,
  type EntityManager,
  type FindOperator,
  In,
  LessThanOrEqual,
  MoreThanOrEqual,
  type Repository,
} from 'typeorm';
import type { DatabaseConnection } from '../../database-connection';
import { Digest, DigestEntry, Entry, Subscriber } from '../../entities';

export interface DigestBuildCounts {
  subscribers: number;
  digests: number;
  entries: number;
}

export interface DigestEntryRow {
  position: number;
  entry: Entry;
}

export interface DigestWithEntries {
  digest: Digest;
  entries: DigestEntryRow[];
}

const INSERT_CHUNK = 500;

/**
 * digests and digest_entries. Only how an instant is compared in the build's range query differs by
 * dialect; the variants supply that.
 */
export abstract class DigestsRepository {
  constructor(protected readonly db: DatabaseConnection) {}

  /** SQL for the named instant parameter, as compared against `published_at`. */
  protected abstract instantSql(name: string): string;
  /** The value bound to it. */
  protected abstract instantValue(instant: Date): unknown;

  protected get digests(): Repository<Digest> {
    return this.db.dataSource.getRepository(Digest);
  }

  /**
   * A subscriber's digests with digest_date in [from, to] (both optional, inclusive), oldest first;
   * null when there is no such subscriber.
   */
  async listForSubscriber(subscriberId: number, from?: string, to?: string): Promise<Digest[] | null> {
    if (!(await this.db.dataSource.getRepository(Subscriber).existsBy({ id: subscriberId }))) return null;
    let digestDate: FindOperator<string> | undefined;
    if (from !== undefined && to !== undefined) digestDate = Between(from, to);
    else if (from !== undefined) digestDate = MoreThanOrEqual(from);
    else if (to !== undefined) digestDate = LessThanOrEqual(to);
    return this.digests.find({
      where: digestDate ? { subscriberId, digestDate } : { subscriberId },
      order: { digestDate: 'ASC' },
    });
  }

  /** The digest with its entries in position order; null when there is no such digest. */
  async findWithEntries(id: number): Promise<DigestWithEntries | null> {
    const digest = await this.digests.findOneBy({ id });
    if (!digest) return null;
    const ds = this.db.dataSource;
    const links = await ds
      .getRepository(DigestEntry)
      .find({ where: { digestId: id }, order: { position: 'ASC' } });
    const entries =
      links.length === 0 ? [] : await ds.getRepository(Entry).findBy({ id: In(links.map((l) => l.entryId)) });
    const byId = new Map(entries.map((e) => [e.id, e]));
    return {
      digest,
      entries: links.flatMap((l) => {
        const entry = byId.get(l.entryId);
        return entry ? [{ position: l.position, entry }] : [];
      }),
    };
  }

  /**
   * Builds every active subscriber's digest of `digestDate` from the entries published in [start, end)
   * of its active, subscribed sources, in one transaction: a run that fails (or whose database goes away)
   * leaves nothing half-applied, and a rebuild replaces each digest's entries instead of adding a digest.
   */
  rebuildDay(
    digestDate: string,
    range: { start: Date; end: Date },
    generatedAt: Date,
  ): Promise<DigestBuildCounts> {
    return this.db.transaction((manager) => this.rebuildIn(manager, digestDate, range, generatedAt));
  }

  private async rebuildIn(
    manager: EntityManager,
    digestDate: string,
    { start, end }: { start: Date; end: Date },
    generatedAt: Date,
  ): Promise<DigestBuildCounts> {
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
        .andWhere(`e.published_at >= ${this.instantSql('start')}`, { start: this.instantValue(start) })
        .andWhere(`e.published_at < ${this.instantSql('end')}`, { end: this.instantValue(end) })
        .orderBy('e.published_at', 'ASC')
        .addOrderBy('e.id', 'ASC')
        .getRawMany<{ id: string | number }>();
      const entryIds = rows.map((r) => Number(r.id));
      const digestId = await this.upsertDigest(
        manager,
        subscriber.id,
        digestDate,
        entryIds.length,
        generatedAt,
      );
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
    digestDate: string,
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
