import pg from 'pg';
import { AppError } from '../common/app-error';
import type { DatabaseSettings, PostgresSettings } from '../config/app-config';
import { describePostgresTarget, maskSecrets } from '../config/database-url';
import { pgConnectionConfig } from './data-source-options';

/** PostgreSQL cannot be reached at start-up; the message names host:port/database and the cause. */
export class DatabaseUnreachableError extends AppError {
  readonly code = 'DB_UNAVAILABLE';
}

/** Node's codes for a server certificate that verify-full refuses. */
const TLS_CERTIFICATE_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Opens and closes one connection so an unreachable or misconfigured server stops start-up with a
 * message naming host:port/database and the cause, well inside the 5 s start-up budget (Node itself
 * takes ~0.3 s to start, more on a busy machine).
 */
/** How long the start-up check waits for PostgreSQL to answer. */
export const STARTUP_CONNECT_TIMEOUT_MS = 3000;

export async function assertPostgresReachable(
  db: PostgresSettings,
  timeoutMs = STARTUP_CONNECT_TIMEOUT_MS,
): Promise<void> {
  const client = new pg.Client({ ...pgConnectionConfig(db), connectionTimeoutMillis: timeoutMs });
  // A socket error after connect would otherwise be an unhandled 'error' event.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    const cause = [err.code, err.message].filter(Boolean).join(': ') || String(error);
    const hint = TLS_CERTIFICATE_ERRORS.has(err.code ?? '')
      ? ` The server's TLS certificate was not accepted (DB_SSL=${db.ssl}): set DB_SSL_CA to the CA that signed it and use a host name the certificate names.`
      : db.host === '127.0.0.1' || db.host === 'localhost'
        ? ' For local development start one with `npm run db:start` (or unset DATABASE_URL and use `npm start`).'
        : '';
    throw new DatabaseUnreachableError(
      maskSecrets(
        `Cannot connect to PostgreSQL at ${describePostgresTarget(db)} as "${db.user}": ${cause}. Check DATABASE_URL.${hint}`,
      ).replaceAll(db.password || '\u0000', '***'),
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Start-up check of the configured database: PostgreSQL must answer; a SQLite file is opened later. */
export async function assertDatabaseReachable(db: DatabaseSettings): Promise<void> {
  if (db.kind === 'postgres') await assertPostgresReachable(db);
}
