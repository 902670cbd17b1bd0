import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { isUniqueViolation } from '../common/database-errors';
import { ConflictError, NotFoundError } from '../common/domain-errors';
import type { Subscriber, Subscription } from '../database/entities';
import { SourcesRepository } from '../database/repositories/sources/sources.repository';
import { SubscribersRepository } from '../database/repositories/subscribers.repository';
import type { CreateSubscriberDto } from './dto/subscriber.dto';

@Injectable()
export class SubscribersService {
  constructor(
    private readonly subscribers: SubscribersRepository,
    private readonly sources: SourcesRepository,
    private readonly clock: Clock,
  ) {}

  async create(dto: CreateSubscriberDto): Promise<Subscriber> {
    try {
      return await this.subscribers.insert({
        email: dto.email,
        name: dto.name,
        isActive: dto.isActive ?? true,
        createdAt: this.clock.now(),
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw new ConflictError(
        `a subscriber with email "${dto.email}" already exists`,
        'SUBSCRIBER_EMAIL_TAKEN',
        'email',
      );
    }
  }

  async get(id: number): Promise<Subscriber> {
    const subscriber = await this.subscribers.findById(id);
    if (!subscriber) throw new NotFoundError('subscriber', id);
    return subscriber;
  }

  sourceIdsOf(subscriberId: number): Promise<number[]> {
    return this.subscribers.sourceIdsOf(subscriberId);
  }

  /** Idempotent: subscribing twice keeps the first subscription. */
  async subscribe(subscriberId: number, sourceId: number): Promise<Subscription> {
    await this.assertBothExist(subscriberId, sourceId);
    return this.subscribers.subscribe(subscriberId, sourceId, this.clock.now());
  }

  /** Idempotent: removing a subscription that does not exist succeeds. */
  async unsubscribe(subscriberId: number, sourceId: number): Promise<void> {
    await this.assertBothExist(subscriberId, sourceId);
    await this.subscribers.unsubscribe(subscriberId, sourceId);
  }

  private async assertBothExist(subscriberId: number, sourceId: number): Promise<void> {
    await this.get(subscriberId);
    if (!(await this.sources.exists(sourceId))) throw new NotFoundError('source', sourceId);
  }
}
