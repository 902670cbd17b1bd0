import { DigestsRepository } from './digests.repository';

/** digests on PostgreSQL: instants are bound as ISO text and compared as timestamptz. */
export class PostgresDigestsRepository extends DigestsRepository {
  protected instantSql(name: string): string {
    return `CAST(:${name} AS timestamptz)`;
  }

  protected instantValue(instant: Date): unknown {
    return instant.toISOString();
  }
}
