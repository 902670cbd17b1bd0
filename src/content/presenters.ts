import type { InstantFormat } from '../common/instant-format';
import type { DigestEntryResponse, DigestResponse } from './dto/digest.dto';
import type { EntryResponse } from './dto/entry.dto';
import type { SourceResponse } from './dto/source.dto';
import type { SubscriberResponse, SubscriptionResponse } from './dto/subscriber.dto';
import type { Digest, Entry, Source, Subscriber, Subscription } from '../database/entities';

/** Entity → JSON body. Every instant goes out in DISPLAY_TIMEZONE. */
export class Presenter {
  constructor(private readonly time: InstantFormat) {}

  source(s: Source): SourceResponse {
    return {
      id: s.id,
      name: s.name,
      url: s.url,
      isActive: s.isActive,
      createdAt: this.time.format(s.createdAt),
    };
  }

  subscriber(s: Subscriber, sourceIds: number[]): SubscriberResponse {
    return {
      id: s.id,
      email: s.email,
      name: s.name,
      isActive: s.isActive,
      sourceIds,
      createdAt: this.time.format(s.createdAt),
    };
  }

  subscription(s: Subscription): SubscriptionResponse {
    return { subscriberId: s.subscriberId, sourceId: s.sourceId, createdAt: this.time.format(s.createdAt) };
  }

  entry(e: Entry): EntryResponse {
    return {
      id: e.id,
      sourceId: e.sourceId,
      title: e.title,
      body: e.body,
      url: e.url,
      publishedAt: this.time.format(e.publishedAt),
      score: e.score,
      tags: e.tags,
      createdAt: this.time.format(e.createdAt),
    };
  }

  digest(d: Digest): DigestResponse {
    return {
      id: d.id,
      subscriberId: d.subscriberId,
      digestDate: d.digestDate,
      entryCount: d.entryCount,
      generatedAt: this.time.format(d.generatedAt),
    };
  }

  digestEntry(e: Entry, position: number): DigestEntryResponse {
    return { ...this.entry(e), position };
  }
}
