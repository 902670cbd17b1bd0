import type { DatabaseSettings } from '../config/app-config';
import { describePostgresTarget } from '../config/database-url';

/** A log-safe description of the configured database: never includes the password. */
export function describeDatabase(db: DatabaseSettings): string {
  if (db.kind === 'sqlite') return `SQLite ${db.path}`;
  return `PostgreSQL ${db.user}@${describePostgresTarget(db)} (ssl=${db.ssl}, pool max ${db.poolMax})`;
}
