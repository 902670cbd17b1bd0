import { loadDatabaseSettings, type PostgresSettings } from '../../config/app-config';
import { UsageError } from './migrate-args';

/**
 * --target (or DATABASE_URL) to PostgreSQL settings, with DB_SSL/DB_SSL_CA and production's TLS
 * rules: the command's own settings, not the server's (no ADMIN_TOKEN, PORT…).
 */
export function resolveTarget(
  target: string | undefined,
  env: Record<string, string | undefined>,
): PostgresSettings {
  const database = loadDatabaseSettings(target === undefined ? env : { ...env, DATABASE_URL: target });
  if (database.kind !== 'postgres') {
    throw new UsageError(
      'the target must be a PostgreSQL URL (postgres://user:password@host:5432/db), not SQLite',
    );
  }
  return database;
}

/** `export` connects to no PostgreSQL: the settings it carries name none. */
export const NO_TARGET: PostgresSettings = {
  kind: 'postgres',
  host: '',
  port: 0,
  database: '',
  user: '',
  password: '',
  url: '',
  ssl: 'disable',
  poolMax: 1,
  poolMin: 0,
  statementTimeoutMs: 0,
  queryTimeoutMs: 0,
};
