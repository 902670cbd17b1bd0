import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres';
import {
  createTestCertificates,
  postgresServerUid,
  type TestCertificates,
} from '../support/test-certificates';
import { FIXTURES, readReport, runMigrate, workDir } from './support/migrate-cli';

// `migrate` serves no HTTP: in production it needs a target and TLS to it, not the server's
// ADMIN_TOKEN or any other of its settings. Production's TLS rules still hold.
describe('migrate in production against a TLS target', () => {
  let certDir: string;
  let certs: TestCertificates;
  let server: PrivatePostgres;
  let dir: string;
  const url = (query = '') => `${server.url('target', 'localhost')}${query}`;
  const production = () => ({ NODE_ENV: 'production', ADMIN_TOKEN: '', PORT: '', DB_SSL_CA: certs.caFile });

  beforeAll(async () => {
    certDir = mkdtempSync(join(tmpdir(), 'pgmove-migrate-tls-'));
    chmodSync(certDir, 0o755);
    certs = createTestCertificates(certDir, 'localhost', postgresServerUid());
    server = await startPrivatePostgres('migrate-tls', [
      ...['-c', 'ssl=on', '-c', `ssl_cert_file=${certs.certFile}`, '-c', `ssl_key_file=${certs.keyFile}`],
    ]);
    await server.createDatabase('target');
    dir = workDir('migrate-tls');
  }, 60000);
  afterAll(async () => {
    await server?.dispose();
    rmSync(certDir, { recursive: true, force: true });
  });

  it('runs with no ADMIN_TOKEN set, verifying the server certificate (DB_SSL=verify-full by default)', async () => {
    const report = join(dir, 'report.json');
    const source = join(FIXTURES, 'sqlite', 'chinook.sqlite');
    const result = await runMigrate(
      ['--source', source, '--target', url(), '--report', report],
      production(),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(readReport(report).verification?.ok).toBe(true);
    const client = new pg.Client({ connectionString: server.url('target') });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Track"`);
      expect(rows[0]?.n).toBe(3503);
    } finally {
      await client.end();
    }
  }, 120_000);

  it('still refuses an unencrypted target in production, naming the setting and not ADMIN_TOKEN', async () => {
    const source = join(FIXTURES, 'sqlite', 'chinook.sqlite');
    const result = await runMigrate(
      ['--source', source, '--target', url('?sslmode=disable'), '--report', join(dir, 'refused.json')],
      production(),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/DATABASE_URL: SSL\/TLS is required in production/);
    // The error names the bad setting only (the usage after it mentions ADMIN_TOKEN for --service).
    const [error] = result.stderr.split('usage:');
    expect(error).toMatch(/DATABASE_URL/);
    expect(error).not.toMatch(/ADMIN_TOKEN/);
  });
});
