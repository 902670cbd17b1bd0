import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../support/free-port';
import { reportMeasurement } from '../support/measurements';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres';
import { type Exited, runToExit, startApp } from '../support/spawn-app';
import {
  createTestCertificates,
  postgresServerUid,
  type TestCertificates,
} from '../support/test-certificates';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { testPostgresState } from '../support/test-postgres-state';

// Characters that need URL encoding, so both the raw and the encoded form are looked for in the output.
const APP_PASSWORD = 'S3cr3t:p@ss/w%rd-4711';
const ENCODED_PASSWORD = encodeURIComponent(APP_PASSWORD);
const PRODUCTION = {
  NODE_ENV: 'production',
  ADMIN_TOKEN: 'tls-admin-token-0123456789abcdef',
  LOG_LEVEL: 'info',
  SCHEDULER_ENABLED: 'false',
};

function expectNoSecret(output: string): void {
  expect(output).not.toContain(APP_PASSWORD);
  expect(output).not.toContain(ENCODED_PASSWORD);
  expect(output).not.toContain('S3cr3t');
}

/** Refused with exit 1 rather than retried or left hanging (the bound includes the process's own boot). */
function expectRefusedFast(result: Exited): void {
  const fatal = result.output.split('\n').find((line) => /fatal/i.test(line));
  reportMeasurement('tls and secrets', `refusal after ${result.elapsedMs} ms`, fatal ?? '(no fatal line)');
  expect(result.code).toBe(1);
  expect(result.elapsedMs).toBeLessThan(10000);
  expectNoSecret(result.output);
}

// A PostgreSQL 16 of its own with TLS on, its certificate for "localhost" signed by a throw-away CA.
describe('TLS to PostgreSQL', () => {
  let certDir: string;
  let certs: TestCertificates;
  let server: PrivatePostgres;
  const appUrl = (host: string) => `postgres://tls_app:${ENCODED_PASSWORD}@${host}:${server.port}/content`;

  beforeAll(async () => {
    certDir = mkdtempSync(join(tmpdir(), 'pgmove-tls-certs-'));
    chmodSync(certDir, 0o755);
    certs = createTestCertificates(certDir, 'localhost', postgresServerUid());
    server = await startPrivatePostgres('tls', [
      ...['-c', 'ssl=on', '-c', `ssl_cert_file=${certs.certFile}`, '-c', `ssl_key_file=${certs.keyFile}`],
    ]);
    await server.createDatabase('content');
    const admin = new pg.Client({ connectionString: server.url('content') });
    await admin.connect();
    await admin.query(`CREATE ROLE tls_app LOGIN PASSWORD '${APP_PASSWORD.replaceAll("'", "''")}'`);
    await admin.query('GRANT ALL ON SCHEMA public TO tls_app');
    await admin.end();
  }, 60000);
  afterAll(async () => {
    await server?.dispose();
    rmSync(certDir, { recursive: true, force: true });
  });

  it('boots in production with DB_SSL=verify-full and the CA file, on encrypted sessions', async () => {
    const app = await startApp(
      { ...PRODUCTION, DATABASE_URL: appUrl('localhost'), DB_SSL: 'verify-full', DB_SSL_CA: certs.caFile },
      await freePort(),
    );
    try {
      expect((await fetch(`${app.baseUrl}/health/ready`)).status).toBe(200);
      const admin = new pg.Client({ connectionString: server.url('content') });
      await admin.connect();
      const { rows } = await admin.query<{ ssl: boolean }>(
        `SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
         WHERE a.application_name = 'pgmove' AND a.datname = 'content'`,
      );
      await admin.end();
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.ssl)).toBe(true);
    } finally {
      await app.stop();
    }
    expectNoSecret(app.output());
  });

  it('refuses a server certificate from another CA, naming the TLS problem', async () => {
    const result = await runToExit({
      ...PRODUCTION,
      DATABASE_URL: appUrl('localhost'),
      DB_SSL: 'verify-full',
      DB_SSL_CA: certs.otherCaFile,
    });
    expectRefusedFast(result);
    expect(result.output).toMatch(/unable to verify the first certificate/);
    expect(result.output).toMatch(/TLS certificate was not accepted.*DB_SSL_CA/);
    expect(result.output).toContain(`localhost:${server.port}/content`);
  });

  it('refuses a host name the certificate does not name (verify-full checks the host)', async () => {
    const result = await runToExit({
      ...PRODUCTION,
      DATABASE_URL: appUrl('127.0.0.1'),
      DB_SSL: 'verify-full',
      DB_SSL_CA: certs.caFile,
    });
    expectRefusedFast(result);
    expect(result.output).toMatch(/altnames|does not match/i);
    expect(result.output).toMatch(/TLS certificate was not accepted/);
  });

  it('refuses a wrong password without printing either password', async () => {
    const wrong = `${APP_PASSWORD}-wrong`;
    const result = await runToExit({
      ...PRODUCTION,
      DATABASE_URL: appUrl('localhost').replace(ENCODED_PASSWORD, encodeURIComponent(wrong)),
      DB_SSL: 'verify-full',
      DB_SSL_CA: certs.caFile,
    });
    expectRefusedFast(result);
    expect(result.output).toMatch(/password authentication failed for user \\?"tls_app/);
    expect(result.output).not.toContain(encodeURIComponent(wrong));
  });

  it('refuses the self-signed chain when no CA file is given (verify-full is the production default)', async () => {
    const result = await runToExit({ ...PRODUCTION, DATABASE_URL: appUrl('localhost') });
    expectRefusedFast(result);
    expect(result.output).toMatch(/certificate/i);
  });
});

describe('secrets stay out of the output of a failed start on a server without TLS', () => {
  let db: TestDatabase;
  let role: string;
  const url = (password: string) => {
    const u = new URL(db.url);
    u.username = role;
    u.password = encodeURIComponent(password);
    return u.toString();
  };

  beforeAll(async () => {
    db = await createTestDatabase('secrets');
    role = `nocreate_${db.name.slice(-8)}`;
    const admin = new pg.Client({ connectionString: testPostgresState().adminUrl });
    await admin.connect();
    // A role that can log in but not create tables: start-up gets as far as the schema migration.
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${APP_PASSWORD.replaceAll("'", "''")}'`);
    await admin.end();
  });
  afterAll(async () => {
    await db?.drop();
    const admin = new pg.Client({ connectionString: testPostgresState().adminUrl });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.end();
  });

  it('with TLS required by a server that does not offer it', async () => {
    const result = await runToExit({ ...PRODUCTION, DATABASE_URL: url(APP_PASSWORD), DB_SSL: 'require' });
    expectRefusedFast(result);
    expect(result.output).toMatch(/SSL|TLS/);
  });

  it('when the schema migration fails after connecting, with the stack printed', async () => {
    const result = await runToExit({
      NODE_ENV: 'development',
      LOG_LEVEL: 'debug',
      SCHEDULER_ENABLED: 'false',
      DATABASE_URL: url(APP_PASSWORD),
    });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/permission denied/);
    expectNoSecret(result.output);
  });
});
