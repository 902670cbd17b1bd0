import { Injectable } from '@nestjs/common';
import type { Repository } from 'typeorm';
import { DatabaseConnection } from '../database-connection';
import { Subscriber, Subscription } from '../entities';

/** subscribers and their subscriptions: the same TypeORM calls on both dialects. */
@Injectable()
export class SubscribersRepository {
  constructor(private readonly db: DatabaseConnection) {}

  private get subscribers(): Repository<Subscriber> {
    return this.db.dataSource.getRepository(Subscriber);
  }

  private get subscriptions(): Repository<Subscription> {
    return this.db.dataSource.getRepository(Subscription);
  }

  /** Inserts a subscriber; a taken email surfaces as the driver's unique violation. */
  insert(values: Omit<Subscriber, 'id'>): Promise<Subscriber> {
    return this.subscribers.save(this.subscribers.create(values));
  }

  findById(id: number): Promise<Subscriber | null> {
    return this.subscribers.findOneBy({ id });
  }

  exists(id: number): Promise<boolean> {
    return this.subscribers.existsBy({ id });
  }

  async sourceIdsOf(subscriberId: number): Promise<number[]> {
    const rows = await this.subscriptions.find({
      select: { sourceId: true },
      where: { subscriberId },
      order: { sourceId: 'ASC' },
    });
    return rows.map((r) => r.sourceId);
  }

  /** Idempotent: a second subscribe keeps the first row (and its createdAt). */
  async subscribe(subscriberId: number, sourceId: number, createdAt: Date): Promise<Subscription> {
    await this.subscriptions
      .createQueryBuilder()
      .insert()
      .values({ subscriberId, sourceId, createdAt })
      .orIgnore()
      .execute();
    return this.subscriptions.findOneByOrFail({ subscriberId, sourceId });
  }

  async unsubscribe(subscriberId: number, sourceId: number): Promise<void> {
    await this.subscriptions.delete({ subscriberId, sourceId });
  }
}
