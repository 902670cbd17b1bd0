import { readFileSync } from 'node:fs';
import { AppError } from '../common/app-error';
import {
  DatabaseUrlError,
  parseDatabaseUrl,
  type PostgresUrl,
  type SslMode,
  type SqliteUrl,
} from './database-url';
import { validateEnvironment, type EnvironmentProblem, type EnvironmentVariables } from './environment';

/** Local development database started by `npm run db:start` (and by `npm start` when no URL is set). */
export const LOCAL_DATABASE_URL = 'postgres://postgres:postgres@127.0.0.1:5433/pgmove';

export interface PostgresSettings extends PostgresUrl {
  ssl: SslMode;
  sslCa?: string;
  poolMax: number;
  /** Connections opened at start-up and kept open when idle. */
  poolMin: number;
  /** The service's sessions' statement_timeout: the server cancels longer statements. */
  statementTimeoutMs: number;
  /** The client's wait for an answer to a query already sent (a frozen server); beyond it the connection is dropped. */
  queryTimeoutMs: number;
}

export type DatabaseSettings = PostgresSettings | SqliteUrl;

/** The validated, typed configuration the rest of the app injects. */
export class AppConfig {
  constructor(
    readonly nodeEnv: EnvironmentVariables['NODE_ENV'],
    readonly port: number,
    readonly database: DatabaseSettings,
    readonly displayTimeZone: string,
    readonly adminToken: string | undefined,
    readonly schedulerEnabled: boolean,
    readonly logLevel: EnvironmentVariables['LOG_LEVEL'],
    readonly bodyLimitKb: number,
    /** One-line notices to log once the logger is up (e.g. a normalised URL scheme). */
    readonly notices: string[] = [],
    /** True when DATABASE_URL was not set and the local development database is used. */
    readonly usesLocalDatabase = false,
    /** The PostgreSQL an online migration's cut-over switches this service to (CUTOVER_DATABASE_URL). */
    readonly cutoverDatabase?: PostgresSettings,
    /** The SQLite file `GET /admin/integrity` verifies against (INTEGRITY_SOURCE_PATH). */
    readonly integritySourcePath?: string,
  ) {}

  /** The same settings on another database (a service started on the PostgreSQL its file moved to). */
  withDatabase(database: DatabaseSettings, notice: string): AppConfig {
    return new AppConfig(
      this.nodeEnv,
      this.port,
      database,
      this.displayTimeZone,
      this.adminToken,
      this.schedulerEnabled,
      this.logLevel,
      this.bodyLimitKb,
      [...this.notices, notice],
      false,
      this.cutoverDatabase,
      this.integritySourcePath,
    );
  }

  get isProduction(): boolean {
    return this.nodeEnv === 'production';
  }
}

export class ConfigError extends AppError {
  readonly code = 'CONFIG_INVALID';

  constructor(readonly problems: EnvironmentProblem[]) {
    super(
      'Invalid configuration:\n' +
        problems.map((p) => `  - ${p.variable}: ${p.reasons.join('; ')}`).join('\n'),
    );
  }
}

/** Reads the environment into an AppConfig, or throws a ConfigError listing every bad variable. */
export function loadConfig(raw: Record<string, string | undefined> = process.env): AppConfig {
  const { env, problems } = validateEnvironment(raw);
  const notices: string[] = [];
  const add = problemAdder(problems);

  if (!isValidTimeZone(env.DISPLAY_TIMEZONE)) {
    add('DISPLAY_TIMEZONE', `"${env.DISPLAY_TIMEZONE}" is not an IANA time zone (e.g. America/Chicago)`);
  }

  const usesLocalDatabase = env.DATABASE_URL === undefined && env.NODE_ENV !== 'production';
  const database = databaseSettings(env, add, notices);
  const cutoverDatabase = cutoverSettings(env, add);

  if (problems.length > 0 || database === undefined) throw new ConfigError(problems);
  return new AppConfig(
    env.NODE_ENV,
    env.PORT,
    database,
    env.DISPLAY_TIMEZONE,
    env.ADMIN_TOKEN,
    env.SCHEDULER_ENABLED,
    env.LOG_LEVEL,
    env.HTTP_BODY_LIMIT_KB,
    notices,
    usesLocalDatabase,
    cutoverDatabase,
    env.INTEGRITY_SOURCE_PATH,
  );
}

/** CUTOVER_DATABASE_URL, with the same TLS settings and rules as DATABASE_URL. */
function cutoverSettings(
  env: EnvironmentVariables,
  add: (variable: string, reason: string) => void,
): PostgresSettings | undefined {
  if (env.CUTOVER_DATABASE_URL === undefined) return undefined;
  const addHere = (variable: string, reason: string): void =>
    add(variable === 'DATABASE_URL' ? 'CUTOVER_DATABASE_URL' : variable, reason);
  try {
    const parsed = parseDatabaseUrl(env.CUTOVER_DATABASE_URL);
    if (parsed.kind === 'postgres') return postgresSettings(parsed, env, addHere);
    addHere('CUTOVER_DATABASE_URL', 'must be a PostgreSQL URL (postgres://user:password@host:5432/db)');
  } catch (error) {
    if (!(error instanceof DatabaseUrlError)) throw error;
    addHere('CUTOVER_DATABASE_URL', error.message);
  }
  return undefined;
}

/** Adds a reason to the variable's entry in `problems`, or a new entry. */
function problemAdder(problems: EnvironmentProblem[]): (variable: string, reason: string) => void {
  return (variable, reason) => {
    const existing = problems.find((p) => p.variable === variable);
    if (existing) existing.reasons.push(reason);
    else problems.push({ variable, reasons: [reason] });
  };
}

function databaseSettings(
  env: EnvironmentVariables,
  add: (variable: string, reason: string) => void,
  notices: string[],
): DatabaseSettings | undefined {
  if (env.DATABASE_URL === undefined && env.NODE_ENV === 'production') {
    add('DATABASE_URL', 'is required in production');
    return undefined;
  }
  try {
    const parsed = parseDatabaseUrl(env.DATABASE_URL ?? LOCAL_DATABASE_URL);
    if (parsed.kind === 'sqlite') return parsed;
    if (parsed.notice) notices.push(parsed.notice);
    return postgresSettings(parsed, env, add);
  } catch (error) {
    if (!(error instanceof DatabaseUrlError)) throw error;
    add('DATABASE_URL', error.message);
    return undefined;
  }
}

// What a connection to PostgreSQL needs; the rest of the environment is the server's.
const CONNECTION_VARIABLES = ['NODE_ENV', 'DATABASE_URL', 'DB_SSL', 'DB_SSL_CA'];

/**
 * The database settings alone, for admin commands that serve no HTTP (`migrate`): the same parsing
 * and production TLS rules as the server, without asking for the server's own settings
 * (ADMIN_TOKEN, PORT…). Throws a ConfigError listing the bad variables.
 */
export function loadDatabaseSettings(
  raw: Record<string, string | undefined> = process.env,
): DatabaseSettings {
  const picked = Object.fromEntries(CONNECTION_VARIABLES.map((name) => [name, raw[name]]));
  const { env, problems: all } = validateEnvironment(picked);
  const problems = all.filter((p) => CONNECTION_VARIABLES.includes(p.variable));
  const database = databaseSettings(env, problemAdder(problems), []);
  if (problems.length > 0 || database === undefined) throw new ConfigError(problems);
  return database;
}

function postgresSettings(
  url: PostgresUrl,
  env: EnvironmentVariables,
  add: (variable: string, reason: string) => void,
): PostgresSettings {
  const fromUrl = url.sslmode === undefined ? undefined : sslModeFromUrl(url.sslmode);
  if (fromUrl === null) {
    add('DATABASE_URL', `sslmode=${url.sslmode} is not supported; use disable, require or verify-full`);
  }
  // An explicit DB_SSL wins over the URL; production defaults to verify-full, development to disable.
  const ssl: SslMode = env.DB_SSL ?? fromUrl ?? (env.NODE_ENV === 'production' ? 'verify-full' : 'disable');
  if (env.NODE_ENV === 'production' && ssl === 'disable') {
    add(
      env.DB_SSL === 'disable' ? 'DB_SSL' : 'DATABASE_URL',
      'SSL/TLS is required in production: remove sslmode=disable / DB_SSL=disable and use require or verify-full',
    );
  }
  let sslCa: string | undefined;
  if (env.DB_SSL_CA !== undefined) {
    try {
      sslCa = readFileSync(env.DB_SSL_CA, 'utf8');
    } catch (error) {
      add(
        'DB_SSL_CA',
        `cannot read CA file ${env.DB_SSL_CA}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
  }
  // A fixed-size pool unless told otherwise: a burst never waits for connections to be set up.
  const poolMin = env.DB_POOL_MIN ?? env.DB_POOL_MAX;
  if (poolMin > env.DB_POOL_MAX) add('DB_POOL_MIN', `must not exceed DB_POOL_MAX (${env.DB_POOL_MAX})`);
  // A live server must get to cancel a slow statement itself before the client gives the connection up.
  if (env.DB_QUERY_TIMEOUT_MS <= env.DB_STATEMENT_TIMEOUT_MS) {
    add(
      'DB_QUERY_TIMEOUT_MS',
      `must be greater than DB_STATEMENT_TIMEOUT_MS (${env.DB_STATEMENT_TIMEOUT_MS})`,
    );
  }
  return {
    ...url,
    ssl,
    sslCa,
    poolMax: env.DB_POOL_MAX,
    poolMin,
    statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
    queryTimeoutMs: env.DB_QUERY_TIMEOUT_MS,
  };
}

function sslModeFromUrl(mode: string): SslMode | null {
  switch (mode) {
    // prefer/allow do not guarantee TLS, so they count as disable (and are refused in production).
    case 'disable':
    case 'allow':
    case 'prefer':
      return 'disable';
    case 'require':
    case 'verify-ca':
      return 'require';
    case 'verify-full':
      return 'verify-full';
    default:
      return null;
  }
}

function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
