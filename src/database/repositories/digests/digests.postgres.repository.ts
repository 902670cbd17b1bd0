import { Digest } from '../../entities';
import { parseTimestamptz, queryText, type TextRow } from '../../pg-text';
import { ENTRY_ROW_COLUMNS, entryFromPgText } from '../entries/entry-row';
import { DigestsRepository, type DigestWithEntries } from './digests.repository';

const DIGEST_COLUMNS = 'd.id, d.subscriber_id, d.digest_date, d.entry_count, d.generated_at';

function digestFromText(row: TextRow, at = 0): Digest {
  const digest = new Digest();
  digest.id = Number(row[at]);
  digest.subscriberId = Number(row[at + 1]);
  digest.digestDate = row[at + 2]!;
  digest.entryCount = Number(row[at + 3]);
  digest.generatedAt = parseTimestamptz(row[at + 4]!);
  return digest;
}

/**
 * digests on PostgreSQL: instants are bound as ISO text and compared as timestamptz; the two hot reads
 * are one prepared statement each (one round trip where the TypeORM variant makes two or three).
 */
export class PostgresDigestsRepository extends DigestsRepository {
  protected instantSql(name: string): string {
    return `CAST(:${name} AS timestamptz)`;
  }

  protected instantValue(instant: Date): unknown {
    return instant.toISOString();
  }

  /** The subscriber row is joined in, so "no such subscriber" and "no digests" are told apart in one go. */
  override async listForSubscriber(
    subscriberId: number,
    from?: string,
    to?: string,
  ): Promise<Digest[] | null> {
    const pool = this.db.pool();
    if (!pool) return super.listForSubscriber(subscriberId, from, to);
    const rows = await queryText(pool, {
      name: 'digests_of_subscriber',
      text:
        `SELECT ${DIGEST_COLUMNS} FROM subscribers s ` +
        'LEFT JOIN digests d ON d.subscriber_id = s.id ' +
        'AND ($2::date IS NULL OR d.digest_date >= $2::date) AND ($3::date IS NULL OR d.digest_date <= $3::date) ' +
        'WHERE s.id = $1::integer ORDER BY d.digest_date',
      values: [subscriberId, from ?? null, to ?? null],
    });
    if (rows.length === 0) return null;
    return rows.filter((r) => r[0] !== null).map((r) => digestFromText(r));
  }

  override async findWithEntries(id: number): Promise<DigestWithEntries | null> {
    const pool = this.db.pool();
    if (!pool) return super.findWithEntries(id);
    const entryColumns = ENTRY_ROW_COLUMNS.map((c) => `e.${c}`).join(', ');
    const rows = await queryText(pool, {
      name: 'digest_with_entries',
      text:
        `SELECT ${DIGEST_COLUMNS}, de.position, ${entryColumns} FROM digests d ` +
        'LEFT JOIN digest_entries de ON de.digest_id = d.id LEFT JOIN entries e ON e.id = de.entry_id ' +
        'WHERE d.id = $1::integer ORDER BY de.position',
      values: [id],
    });
    const first = rows[0];
    if (!first) return null;
    return {
      digest: digestFromText(first),
      entries: rows
        .filter((r) => r[6] !== null)
        .map((r) => ({ position: Number(r[5]), entry: entryFromPgText(r.slice(6)) })),
    };
  }
}
