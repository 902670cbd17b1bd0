import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/domain-errors';
import type { Digest } from '../database/entities';
import {
  DigestsRepository,
  type DigestWithEntries,
} from '../database/repositories/digests/digests.repository';

@Injectable()
export class DigestsService {
  constructor(private readonly digests: DigestsRepository) {}

  /** A subscriber's digests with digest_date in [from, to] (both optional, inclusive), oldest first. */
  async listForSubscriber(subscriberId: number, from?: string, to?: string): Promise<Digest[]> {
    const digests = await this.digests.listForSubscriber(subscriberId, from, to);
    if (!digests) throw new NotFoundError('subscriber', subscriberId);
    return digests;
  }

  async getWithEntries(id: number): Promise<DigestWithEntries> {
    const found = await this.digests.findWithEntries(id);
    if (!found) throw new NotFoundError('digest', id);
    return found;
  }
}
