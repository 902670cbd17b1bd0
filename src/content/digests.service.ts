import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Between, In, LessThanOrEqual, MoreThanOrEqual, type FindOperator, type Repository } from 'typeorm';
import { NotFoundError } from '../common/domain-errors';
import { Digest, DigestEntry, Entry, Subscriber } from './entities';

export interface DigestWithEntryRows {
  digest: Digest;
  entries: { position: number; entry: Entry }[];
}

@Injectable()
export class DigestsService {
  constructor(
    @InjectRepository(Digest) private readonly digests: Repository<Digest>,
    @InjectRepository(DigestEntry) private readonly digestEntries: Repository<DigestEntry>,
    @InjectRepository(Entry) private readonly entries: Repository<Entry>,
    @InjectRepository(Subscriber) private readonly subscribers: Repository<Subscriber>,
  ) {}

  /** A subscriber's digests with digest_date in [from, to] (both optional, inclusive), oldest first. */
  async listForSubscriber(subscriberId: number, from?: string, to?: string): Promise<Digest[]> {
    if (!(await this.subscribers.existsBy({ id: subscriberId }))) {
      throw new NotFoundError('subscriber', subscriberId);
    }
    let digestDate: FindOperator<string> | undefined;
    if (from !== undefined && to !== undefined) digestDate = Between(from, to);
    else if (from !== undefined) digestDate = MoreThanOrEqual(from);
    else if (to !== undefined) digestDate = LessThanOrEqual(to);
    return this.digests.find({
      where: digestDate ? { subscriberId, digestDate } : { subscriberId },
      order: { digestDate: 'ASC' },
    });
  }

  async getWithEntries(id: number): Promise<DigestWithEntryRows> {
    const digest = await this.digests.findOneBy({ id });
    if (!digest) throw new NotFoundError('digest', id);
    const links = await this.digestEntries.find({ where: { digestId: id }, order: { position: 'ASC' } });
    const entries =
      links.length === 0 ? [] : await this.entries.findBy({ id: In(links.map((l) => l.entryId)) });
    const byId = new Map(entries.map((e) => [e.id, e]));
    return {
      digest,
      entries: links.flatMap((l) => {
        const entry = byId.get(l.entryId);
        return entry ? [{ position: l.position, entry }] : [];
      }),
    };
  }
}
