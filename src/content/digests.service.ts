import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/domain-errors';
import type { Digest } from '../database/entities';
import { type DigestEntryRow, DigestsRepository } from '../database/repositories/digests/digests.repository';
import { SubscribersRepository } from '../database/repositories/subscribers.repository';

export interface DigestWithEntryRows {
  digest: Digest;
  entries: DigestEntryRow[];
}

@Injectable()
export class DigestsService {
  constructor(
    private readonly digests: DigestsRepository,
    private readonly subscribers: SubscribersRepository,
  ) {}

  /** A subscriber's digests with digest_date in [from, to] (both optional, inclusive), oldest first. */
  async listForSubscriber(subscriberId: number, from?: string, to?: string): Promise<Digest[]> {
    if (!(await this.subscribers.exists(subscriberId))) throw new NotFoundError('subscriber', subscriberId);
    return this.digests.listForSubscriber(subscriberId, from, to);
  }

  async getWithEntries(id: number): Promise<DigestWithEntryRows> {
    const digest = await this.digests.findById(id);
    if (!digest) throw new NotFoundError('digest', id);
    return { digest, entries: await this.digests.entriesOf(id) };
  }
}
