import { Digest } from './digest.entity';
import { DigestEntry } from './digest-entry.entity';
import { Entry } from './entry.entity';
import { JobRun } from './job-run.entity';
import { Source } from './source.entity';
import { Subscriber } from './subscriber.entity';
import { Subscription } from './subscription.entity';

export { Digest, DigestEntry, Entry, JobRun, Source, Subscriber, Subscription };
export type { DigestRunDetails, JobRunStatus, JobTrigger } from './job-run.entity';
export { JOB_RUN_STATUSES } from './job-run.entity';

/** Every table the service maps, registered once with the DataSource. */
export const ENTITIES = [Source, Entry, Subscriber, Subscription, Digest, DigestEntry, JobRun];
