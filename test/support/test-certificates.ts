import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCertificates {
  caFile: string;
  /** A CA that did not sign the server certificate. */
  otherCaFile: string;
  certFile: string;
  keyFile: string;
}

const openssl = (args: string[]): void => {
  execFileSync('openssl', args, { stdio: 'pipe' });
};

function makeCa(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  openssl([
    ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=pgmove test ${name}`],
    ...['-keyout', key, '-out', cert],
    ...['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
  ]);
  return { cert, key };
}

/**
 * A CA and a server certificate for `hostname` signed by it (SAN DNS:hostname only), plus an unrelated
 * CA, written into `dir`. The server key is readable by `keyOwner` only, as PostgreSQL demands.
 */
export function createTestCertificates(dir: string, hostname: string, keyOwner?: number): TestCertificates {
  const ca = makeCa(dir, 'ca');
  const other = makeCa(dir, 'other-ca');
  const keyFile = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const certFile = join(dir, 'server.crt');
  const extFile = join(dir, 'server.ext');
  writeFileSync(
    extFile,
    [
      `subjectAltName=DNS:${hostname}`,
      'basicConstraints=CA:FALSE',
      'keyUsage=digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
    ].join('\n'),
  );
  openssl([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${hostname}`,
    '-keyout',
    keyFile,
    '-out',
    csr,
  ]);
  openssl([
    ...['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial'],
    ...['-days', '2', '-out', certFile, '-extfile', extFile],
  ]);
  chmodSync(keyFile, 0o600);
  if (keyOwner !== undefined) chownSync(keyFile, keyOwner, -1);
  return { caFile: ca.cert, otherCaFile: other.cert, certFile, keyFile };
}

/** uid of the `postgres` user the embedded server runs as when started by root; undefined otherwise. */
export function postgresServerUid(): number | undefined {
  if (process.getuid?.() !== 0) return undefined;
  return Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
}
