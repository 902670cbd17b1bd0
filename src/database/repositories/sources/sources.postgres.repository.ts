import { Source } from '../../entities';
import { parseBoolean, parseTimestamptz, queryText } from '../../pg-text';
import { SourcesRepository } from './sources.repository';

/** sources on PostgreSQL: GET /sources/:id as one prepared statement on the pool. */
export class PostgresSourcesRepository extends SourcesRepository {
  override async findById(id: number): Promise<Source | null> {
    const pool = this.db.pool();
    if (!pool) return super.findById(id);
    const [row] = await queryText(pool, {
      name: 'sources_by_id',
      text: 'SELECT id, name, url, is_active, created_at FROM sources WHERE id = $1::integer',
      values: [id],
    });
    if (!row) return null;
    const source = new Source();
    source.id = Number(row[0]);
    source.name = row[1]!;
    source.url = row[2]!;
    source.isActive = parseBoolean(row[3]);
    source.createdAt = parseTimestamptz(row[4]!);
    return source;
  }
}
