import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, LOCAL_DATABASE_URL, loadConfig } from './app-config';

const PROD = { NODE_ENV: 'production', ADMIN_TOKEN: 'a-long-enough-admin-token' };

function problemsOf(env: Record<string, string>): Record<string, string> {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      return Object.fromEntries(error.problems.map((p) => [p.variable, p.reasons.join('; ')]));
    }
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults in development', () => {
    const config = loadConfig({});
    expect(config.nodeEnv).toBe('development');
    expect(config.port).toBe(3000);
    expect(config.displayTimeZone).toBe('America/Chicago');
    expect(config.schedulerEnabled).toBe(true);
    expect(config.usesLocalDatabase).toBe(true);
    expect(config.database).toMatchObject({
      kind: 'postgres',
      port: 5433,
      ssl: 'disable',
      poolMax: 20,
      poolMin: 20,
    });
    expect(LOCAL_DATABASE_URL).toContain('127.0.0.1:5433');
  });

  it('converts numbers and booleans from strings', () => {
    const config = loadConfig({
      PORT: '8080',
      DB_POOL_MAX: '7',
      SCHEDULER_ENABLED: 'false',
      DATABASE_URL: 'postgres://u@h/d',
    });
    expect(config.port).toBe(8080);
    expect(config.schedulerEnabled).toBe(false);
    expect(config.database.kind === 'postgres' && config.database.poolMax).toBe(7);
  });

  it('keeps DB_POOL_MIN within DB_POOL_MAX and follows DB_POOL_MAX by default', () => {
    const url = 'postgres://u@h/d';
    const pool = (env: Record<string, string>) => {
      const db = loadConfig({ DATABASE_URL: url, ...env }).database;
      return db.kind === 'postgres' ? [db.poolMin, db.poolMax] : [];
    };
    expect(pool({ DB_POOL_MAX: '7' })).toEqual([7, 7]);
    expect(pool({ DB_POOL_MIN: '0' })).toEqual([0, 20]);
    expect(pool({ DB_POOL_MIN: '5', DB_POOL_MAX: '8' })).toEqual([5, 8]);
    expect(Object.keys(problemsOf({ DATABASE_URL: url, DB_POOL_MIN: '9', DB_POOL_MAX: '8' }))).toEqual([
      'DB_POOL_MIN',
    ]);
    expect(Object.keys(problemsOf({ DATABASE_URL: url, DB_POOL_MIN: '-1' }))).toEqual(['DB_POOL_MIN']);
  });

  it('bounds requests by a statement timeout and a longer query timeout', () => {
    const url = 'postgres://u@h/d';
    const timeouts = (env: Record<string, string>) => {
      const db = loadConfig({ DATABASE_URL: url, ...env }).database;
      return db.kind === 'postgres' ? [db.statementTimeoutMs, db.queryTimeoutMs] : [];
    };
    expect(timeouts({})).toEqual([15000, 20000]);
    expect(timeouts({ DB_STATEMENT_TIMEOUT_MS: '1000', DB_QUERY_TIMEOUT_MS: '2500' })).toEqual([1000, 2500]);
    expect(problemsOf({ DATABASE_URL: url, DB_STATEMENT_TIMEOUT_MS: '20000' })).toEqual({
      DB_QUERY_TIMEOUT_MS: 'must be greater than DB_STATEMENT_TIMEOUT_MS (20000)',
    });
    expect(Object.keys(problemsOf({ DATABASE_URL: url, DB_QUERY_TIMEOUT_MS: '50' }))).toEqual([
      'DB_QUERY_TIMEOUT_MS',
    ]);
  });

  it('lists every bad variable at once', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      DB_POOL_MAX: '0',
      NODE_ENV: 'staging',
      DISPLAY_TIMEZONE: 'Mars/Olympus',
      DB_SSL: 'maybe',
      SCHEDULER_ENABLED: 'perhaps',
      DATABASE_URL: 'nope',
    });
    expect(Object.keys(problems).sort()).toEqual(
      [
        'DATABASE_URL',
        'DB_POOL_MAX',
        'DB_SSL',
        'DISPLAY_TIMEZONE',
        'NODE_ENV',
        'PORT',
        'SCHEDULER_ENABLED',
      ].sort(),
    );
  });

  it('requires DATABASE_URL and ADMIN_TOKEN in production', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems.DATABASE_URL).toMatch(/required in production/);
    expect(problems.ADMIN_TOKEN).toMatch(/required in production/);
  });

  it('refuses a PostgreSQL connection without TLS in production', () => {
    expect(problemsOf({ ...PROD, DATABASE_URL: 'postgres://u:p@h/d?sslmode=disable' }).DATABASE_URL).toMatch(
      /SSL\/TLS is required in production/,
    );
    expect(problemsOf({ ...PROD, DATABASE_URL: 'postgres://u:p@h/d', DB_SSL: 'disable' }).DB_SSL).toMatch(
      /SSL\/TLS/,
    );
  });

  it('defaults to verify-full in production and honours sslmode=require from the URL', () => {
    const strict = loadConfig({ ...PROD, DATABASE_URL: 'postgres://u:p@h/d' });
    expect(strict.database.kind === 'postgres' && strict.database.ssl).toBe('verify-full');
    const required = loadConfig({ ...PROD, DATABASE_URL: 'postgres://u:p@h/d?sslmode=require' });
    expect(required.database.kind === 'postgres' && required.database.ssl).toBe('require');
  });

  it('reads the CA file for verify-full and names an unreadable one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ca-'));
    writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----');
    const config = loadConfig({
      ...PROD,
      DATABASE_URL: 'postgres://u:p@h/d',
      DB_SSL_CA: join(dir, 'ca.pem'),
    });
    expect(config.database.kind === 'postgres' && config.database.sslCa).toContain('BEGIN CERTIFICATE');
    expect(
      problemsOf({ ...PROD, DATABASE_URL: 'postgres://u:p@h/d', DB_SSL_CA: join(dir, 'missing.pem') })
        .DB_SSL_CA,
    ).toMatch(/ENOENT/);
  });

  it('allows SQLite in production (the rollback switch) without TLS rules', () => {
    const config = loadConfig({ ...PROD, DATABASE_URL: 'sqlite:///var/lib/app.sqlite' });
    expect(config.database).toEqual({ kind: 'sqlite', path: '/var/lib/app.sqlite' });
  });

  it('keeps a notice for a normalised scheme', () => {
    const config = loadConfig({ DATABASE_URL: 'postgresql+psycopg2://u:p@h/d' });
    expect(config.notices).toHaveLength(1);
    expect(config.notices[0]).toMatch(/postgres:\/\//);
  });

  it('rejects a short ADMIN_TOKEN', () => {
    expect(problemsOf({ ADMIN_TOKEN: 'short' }).ADMIN_TOKEN).toMatch(/at least 16/);
  });
});
