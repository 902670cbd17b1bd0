import { Digest } from './digest.entity';
import { DigestEntry } from './digest-entry.entity';
import { Entry } from './entry.entity';
import { Source } from './source.entity';
import { Subscriber } from './subscriber.entity';
import { Subscription } from './subscription.entity';

export { Digest, DigestEntry, Entry, Source, Subscriber, Subscription };

export const CONTENT_ENTITIES = [Source, Entry, Subscriber, Subscription, Digest, DigestEntry];
