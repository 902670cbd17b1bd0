import type { EnvironmentVariables } from './environment';

/** One setting, described once: README's table and .env.example are made from these (a test checks). */
export interface Setting {
  name: keyof EnvironmentVariables;
  type: string;
  /** As a user reads it; the test checks it against EnvironmentVariables' own default where it has one. */
  default: string;
  /** Markdown, one paragraph. */
  meaning: string;
  /** The value .env.example shows; without one the line is there commented out with `hint`. */
  example?: string;
  hint?: string;
}

export const SETTINGS: Setting[] = [
  {
    name: 'DATABASE_URL',
    type: 'URL',
    default: 'local dev database',
    meaning:
      '`postgres://`, `postgresql://` or `postgresql+psycopg2://` (rewritten to `postgres://` with a notice) for PostgreSQL; `sqlite:///absolute/path.sqlite` or `sqlite://relative/path.sqlite` for SQLite. Unset in development: the local PostgreSQL on 127.0.0.1:5433 is started and used. Required in production. `sslmode=` in the URL is honoured.',
    example: 'postgres://postgres:postgres@127.0.0.1:5433/pgmove',
  },
  {
    name: 'NODE_ENV',
    type: '`development` \\| `production` \\| `test`',
    default: '`development`',
    meaning: 'Production logs JSON, requires TLS to PostgreSQL and an `ADMIN_TOKEN`.',
    example: 'development',
  },
  { name: 'PORT', type: 'integer 0–65535', default: '`3000`', meaning: 'HTTP port.', example: '3000' },
  {
    name: 'DB_POOL_MAX',
    type: 'integer 1–1000',
    default: '`20`',
    meaning: 'Maximum connections in the pg pool.',
    example: '20',
  },
  {
    name: 'DB_POOL_MIN',
    type: 'integer 0–1000, ≤ `DB_POOL_MAX`',
    default: '`DB_POOL_MAX`',
    meaning:
      'Connections opened right after start-up and kept open when idle (idle ones above it close after 30 s). `0` opens connections only on demand.',
    hint: '20',
  },
  {
    name: 'DB_STATEMENT_TIMEOUT_MS',
    type: 'integer 100–3600000',
    default: '`15000`',
    meaning:
      "PostgreSQL's `statement_timeout` for the service's connections: the server cancels a statement that runs (or waits for a lock) longer, and the request gets `503 DB_TIMEOUT` with `Retry-After`. Schema migrations and the `migrate` command run without it.",
    example: '15000',
  },
  {
    name: 'DB_QUERY_TIMEOUT_MS',
    type: 'integer 100–3600000, > `DB_STATEMENT_TIMEOUT_MS`',
    default: '`20000`',
    meaning:
      'How long the service waits for any answer to a query it sent, for a server that stops answering without closing the connection (frozen, partitioned): the request gets `503 DB_TIMEOUT` with `Retry-After` and the connection is closed and replaced. Longer than `DB_STATEMENT_TIMEOUT_MS`, so a live server cancels first.',
    example: '20000',
  },
  {
    name: 'DB_SSL',
    type: '`disable` \\| `require` \\| `verify-full`',
    default: '`disable` in development, `verify-full` in production',
    meaning:
      '`require` encrypts without checking the certificate; `verify-full` checks the certificate and the host name. Wins over `sslmode` in the URL. Production refuses `disable`.',
    hint: 'verify-full',
  },
  {
    name: 'DB_SSL_CA',
    type: 'file path',
    default: '–',
    meaning: 'CA certificate file for `verify-full`.',
    hint: '/etc/ssl/certs/db-ca.pem',
  },
  {
    name: 'DISPLAY_TIMEZONE',
    type: 'IANA time zone',
    default: '`America/Chicago`',
    meaning: "Zone for instants in API output and the digest's calendar days.",
    example: 'America/Chicago',
  },
  {
    name: 'CUTOVER_DATABASE_URL',
    type: 'URL',
    default: '–',
    meaning:
      'For a service running on SQLite: the PostgreSQL that `migrate --online --service` cuts it over to (same TLS settings as `DATABASE_URL`). The service opens it when the cut-over starts, switches to it without a restart, and starts on it when its SQLite file has been moved.',
    hint: 'postgres://pgmove_app:secret@db.example.com:5432/pgmove',
  },
  {
    name: 'INTEGRITY_SOURCE_PATH',
    type: 'file path',
    default: '–',
    meaning:
      'The SQLite file the database was migrated from: `GET /admin/integrity` then also runs the full `migrate verify` against it (`?source=` names another). Without it the check reads PostgreSQL alone.',
    hint: '/srv/pgmove/app.sqlite',
  },
  {
    name: 'ADMIN_TOKEN',
    type: 'string, ≥ 16 characters',
    default: '–',
    meaning: 'Bearer token for the admin endpoints. Required in production.',
    hint: 'change-me-to-a-long-random-string',
  },
  {
    name: 'SCHEDULER_ENABLED',
    type: 'boolean',
    default: '`true`',
    meaning: '`false` turns the daily digest job off on this instance.',
    example: 'true',
  },
  {
    name: 'LOG_LEVEL',
    type: '`fatal` \\| `error` \\| `warn` \\| `info` \\| `debug` \\| `trace` \\| `silent`',
    default: '`info`',
    meaning: 'Lowest level logged.',
    example: 'info',
  },
  {
    name: 'HTTP_BODY_LIMIT_KB',
    type: 'integer 100–600000',
    default: '`1024`',
    meaning: 'Largest accepted request body, in KiB.',
    example: '1024',
  },
];
