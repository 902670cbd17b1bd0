import type { Provider } from '@nestjs/common';
import { DatabaseConnection } from '../database-connection';
import type { Dialect } from '../dialect';
import { PostgresDataMigrationRunsRepository } from './data-migration-runs/data-migration-runs.postgres.repository';
import { DataMigrationRunsRepository } from './data-migration-runs/data-migration-runs.repository';
import { SqliteDataMigrationRunsRepository } from './data-migration-runs/data-migration-runs.sqlite.repository';
import { PostgresDigestsRepository } from './digests/digests.postgres.repository';
import { DigestsRepository } from './digests/digests.repository';
import { SqliteDigestsRepository } from './digests/digests.sqlite.repository';
import { PostgresEntriesRepository } from './entries/entries.postgres.repository';
import { EntriesRepository } from './entries/entries.repository';
import { SqliteEntriesRepository } from './entries/entries.sqlite.repository';
import { IntegrityChecksRepository } from './integrity/integrity-checks.repository';
import { IntegrityRunsRepository } from './integrity/integrity-runs.repository';
import { JobRunsRepository } from './job-runs.repository';
import { PostgresSourcesRepository } from './sources/sources.postgres.repository';
import { SourcesRepository } from './sources/sources.repository';
import { SubscribersRepository } from './subscribers.repository';

type Variant<T> = new (db: DatabaseConnection) => T;

/** A repository whose SQL differs by dialect: one injectable answering as the current dialect's variant. */
function perDialect<T extends object>(
  token: abstract new (...args: never[]) => T,
  variants: Record<Dialect, Variant<T>>,
): Provider {
  return {
    provide: token,
    inject: [DatabaseConnection],
    useFactory: (db: DatabaseConnection) =>
      db.byDialect({ postgres: new variants.postgres(db), sqlite: new variants.sqlite(db) }),
  };
}

export const REPOSITORY_PROVIDERS: Provider[] = [
  perDialect(SourcesRepository, { postgres: PostgresSourcesRepository, sqlite: SourcesRepository }),
  SubscribersRepository,
  JobRunsRepository,
  IntegrityRunsRepository,
  IntegrityChecksRepository,
  perDialect(EntriesRepository, { postgres: PostgresEntriesRepository, sqlite: SqliteEntriesRepository }),
  perDialect(DigestsRepository, { postgres: PostgresDigestsRepository, sqlite: SqliteDigestsRepository }),
  perDialect(DataMigrationRunsRepository, {
    postgres: PostgresDataMigrationRunsRepository,
    sqlite: SqliteDataMigrationRunsRepository,
  }),
];

export const REPOSITORIES = [
  SourcesRepository,
  SubscribersRepository,
  JobRunsRepository,
  IntegrityRunsRepository,
  IntegrityChecksRepository,
  EntriesRepository,
  DigestsRepository,
  DataMigrationRunsRepository,
];
