import { sqliteInstant } from '../../db-values';
import { DigestsRepository } from './digests.repository';

/** digests on SQLite: instants compare as the fixed-width UTC text they are stored as. */
export class SqliteDigestsRepository extends DigestsRepository {
  protected instantSql(name: string): string {
    return `:${name}`;
  }

  protected instantValue(instant: Date): unknown {
    return sqliteInstant(instant);
  }
}
