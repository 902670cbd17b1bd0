/** Parsing, normalising and masking of DATABASE_URL. Pure functions: no I/O. */
import { AppError } from '../common/app-error';

export type SslMode = 'disable' | 'require' | 'verify-full';

export interface PostgresUrl {
  kind: 'postgres';
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  /** `sslmode` as written in the URL query, if any. */
  sslmode?: string;
  /** The URL rewritten to the `postgres://` scheme, password included. */
  url: string;
  /** Set when the scheme was rewritten (e.g. `postgresql+psycopg2://`). */
  notice?: string;
}

export interface SqliteUrl {
  kind: 'sqlite';
  /** Absolute or relative file path, or `:memory:`. */
  path: string;
}

export type ParsedDatabaseUrl = PostgresUrl | SqliteUrl;

/** DATABASE_URL cannot be used; the message says why (never with the password). */
export class DatabaseUrlError extends AppError {
  readonly code = 'CONFIG_INVALID';
}

const POSTGRES_SCHEMES = ['postgres:', 'postgresql:'];
// Older deployments (SQLAlchemy style) write a driver suffix after '+'.
const DRIVER_SUFFIX = /^(postgres|postgresql)\+[a-z0-9_]+:$/i;

export function parseDatabaseUrl(raw: string): ParsedDatabaseUrl {
  const value = raw.trim();
  if (value === '') throw new DatabaseUrlError('DATABASE_URL is empty');
  const lower = value.toLowerCase();
  if (lower.startsWith('sqlite:')) return parseSqlite(value);

  const schemeEnd = value.indexOf('://');
  if (schemeEnd < 0) {
    throw new DatabaseUrlError(
      `DATABASE_URL must look like postgres://user@host:5432/database or sqlite:///path/to/file.sqlite (got ${describe(value)})`,
    );
  }
  const scheme = value.slice(0, schemeEnd + 1).toLowerCase();
  let notice: string | undefined;
  if (DRIVER_SUFFIX.test(scheme)) {
    notice = `DATABASE_URL scheme "${scheme}//" normalised to "postgres://"`;
  } else if (!POSTGRES_SCHEMES.includes(scheme)) {
    throw new DatabaseUrlError(
      `DATABASE_URL has unsupported scheme "${scheme}//"; use postgres://, postgresql://, postgresql+psycopg2:// or sqlite:///path`,
    );
  }

  let url: URL;
  try {
    url = new URL('postgres://' + value.slice(schemeEnd + 3));
  } catch {
    throw new DatabaseUrlError(`DATABASE_URL is not a valid URL (${describe(value)})`);
  }
  if (!url.hostname) throw new DatabaseUrlError('DATABASE_URL has no host name');
  const port = url.port === '' ? 5432 : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new DatabaseUrlError(`DATABASE_URL has an invalid port "${url.port}"`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (database === '' || database.includes('/')) {
    throw new DatabaseUrlError(
      'DATABASE_URL must name a database after the host, e.g. postgres://u:p@host:5432/app',
    );
  }
  const user = decodeURIComponent(url.username);
  if (user === '')
    throw new DatabaseUrlError('DATABASE_URL has no user name (postgres://USER:password@host/db)');
  const sslmode = url.searchParams.get('sslmode') ?? undefined;
  return {
    kind: 'postgres',
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    database,
    user,
    password: decodeURIComponent(url.password),
    sslmode,
    url: url.toString(),
    notice,
  };
}

function parseSqlite(value: string): SqliteUrl {
  // sqlite:///abs/path → /abs/path; sqlite://rel/path → rel/path; sqlite::memory: → :memory:
  const match = /^sqlite:(\/\/)?(.*)$/i.exec(value);
  const rest = match?.[2] ?? '';
  if (rest === ':memory:' || rest === '/:memory:') return { kind: 'sqlite', path: ':memory:' };
  if (!match?.[1] || rest === '' || rest === '/') {
    throw new DatabaseUrlError(
      'DATABASE_URL for SQLite must be sqlite:///absolute/path.sqlite or sqlite://relative/path.sqlite',
    );
  }
  return { kind: 'sqlite', path: decodeURIComponent(rest.split('?')[0] ?? rest) };
}

/** Replaces the password of any URL-shaped text with `***`. Safe on text that is not a URL. */
export function maskSecrets(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)([^@\s]*)@/gi, '$1***@');
}

export function describePostgresTarget(db: Pick<PostgresUrl, 'host' | 'port' | 'database'>): string {
  const host = db.host.includes(':') ? `[${db.host}]` : db.host;
  return `${host}:${db.port}/${db.database}`;
}

function describe(value: string): string {
  // Anything before '@' may hold a password in a form the masker does not recognise.
  const at = value.lastIndexOf('@');
  const masked = at >= 0 ? '***' + value.slice(at) : value;
  return masked.length > 60 ? `"${masked.slice(0, 57)}..."` : `"${masked}"`;
}
