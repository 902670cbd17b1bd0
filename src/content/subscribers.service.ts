import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { Clock } from '../common/clock';
import { isUniqueViolation } from '../common/database-errors';
import { ConflictError, NotFoundError } from '../common/domain-errors';
import type { CreateSubscriberDto } from './dto/subscriber.dto';
import { Source, Subscriber, Subscription } from './entities';

@Injectable()
export class SubscribersService {
  constructor(
    @InjectRepository(Subscriber) private readonly subscribers: Repository<Subscriber>,
    @InjectRepository(Subscription) private readonly subscriptions: Repository<Subscription>,
    @InjectRepository(Source) private readonly sources: Repository<Source>,
    private readonly clock: Clock,
  ) {}

  async create(dto: CreateSubscriberDto): Promise<Subscriber> {
    const subscriber = this.subscribers.create({
      email: dto.email,
      name: dto.name,
      isActive: dto.isActive ?? true,
      createdAt: this.clock.now(),
    });
    try {
      return await this.subscribers.save(subscriber);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw new ConflictError(`a subscriber with email "${dto.email}" already exists`, 'email');
    }
  }

  async get(id: number): Promise<Subscriber> {
    const subscriber = await this.subscribers.findOneBy({ id });
    if (!subscriber) throw new NotFoundError('subscriber', id);
    return subscriber;
  }

  async sourceIdsOf(subscriberId: number): Promise<number[]> {
    const rows = await this.subscriptions.find({
      select: { sourceId: true },
      where: { subscriberId },
      order: { sourceId: 'ASC' },
    });
    return rows.map((r) => r.sourceId);
  }

  /** Idempotent: subscribing twice keeps the first subscription. */
  async subscribe(subscriberId: number, sourceId: number): Promise<Subscription> {
    await this.assertBothExist(subscriberId, sourceId);
    await this.subscriptions
      .createQueryBuilder()
      .insert()
      .values({ subscriberId, sourceId, createdAt: this.clock.now() })
      .orIgnore()
      .execute();
    return this.subscriptions.findOneByOrFail({ subscriberId, sourceId });
  }

  /** Idempotent: removing a subscription that does not exist succeeds. */
  async unsubscribe(subscriberId: number, sourceId: number): Promise<void> {
    await this.assertBothExist(subscriberId, sourceId);
    await this.subscriptions.delete({ subscriberId, sourceId });
  }

  private async assertBothExist(subscriberId: number, sourceId: number): Promise<void> {
    await this.get(subscriberId);
    if (!(await this.sources.existsBy({ id: sourceId }))) throw new NotFoundError('source', sourceId);
  }
}
