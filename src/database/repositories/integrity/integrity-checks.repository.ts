import { Injectable } from '@nestjs/common';
import { AppConfig, type PostgresSettings } from '../../../config/app-config';
import { openSession } from '../../../data-migration/target/sessions';
import { DatabaseConnection } from '../../database-connection';
import { IntegritySession } from './integrity-session';

/**
 * Opens the session an integrity check reads through: a connection of its own (a whole-table read
 * may rightly outlast the request timeouts), read-only, in the migrate tool's readback settings.
 */
@Injectable()
export class IntegrityChecksRepository {
  constructor(
    private readonly db: DatabaseConnection,
    private readonly config: AppConfig,
  ) {}

  /**
   * The PostgreSQL the service runs on now and the variable naming it (after a cut-over,
   * CUTOVER_DATABASE_URL); null on SQLite.
   */
  target(): { settings: PostgresSettings; urlVariable: string } | null {
    if (this.db.dialect !== 'postgres') return null;
    const configured = this.config.database;
    if (configured.kind === 'postgres') return { settings: configured, urlVariable: 'DATABASE_URL' };
    const cutover = this.config.cutoverDatabase;
    return cutover ? { settings: cutover, urlVariable: 'CUTOVER_DATABASE_URL' } : null;
  }

  async open(target: PostgresSettings): Promise<IntegritySession> {
    const client = await openSession(target, 'readback');
    try {
      await client.query('SET default_transaction_read_only = on');
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return new IntegritySession(client);
  }
}
