import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { MigrationReport } from '../../../src/data-migration/model/report';

export const FIXTURES = join(process.cwd(), 'test', 'fixtures');
const MAIN = join(process.cwd(), 'dist', 'src', 'main.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Spawns the built command (`node dist/src/main.js migrate …`) as an operator would run it. */
export function startMigrate(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [MAIN, 'migrate', ...args], {
    env: { ...process.env, NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export function runMigrate(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return startMigrate(args, env).done;
}

export interface MeasuredResult extends CliResult {
  /** Peak resident memory of the process, MB (GNU time's maximum RSS). */
  peakRssMb: number;
  wallSeconds: number;
}

/**
 * The built command under GNU time (`/usr/bin/time`), for its peak memory; killed after `limitMs`
 * (a run that stalls fails with its output so far instead of holding the suite up).
 */
export async function runMigrateMeasured(args: string[], limitMs: number): Promise<MeasuredResult> {
  const marker = '__PEAK_RSS_KB__';
  const started = Date.now();
  const child = spawn('/usr/bin/time', ['-f', `${marker} %M`, process.execPath, MAIN, 'migrate', ...args], {
    env: { ...process.env, NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so the kill reaches the command and not only GNU time.
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => process.kill(-(child.pid ?? 0), 'SIGKILL'), limitMs);
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('close', (c, s) => r({ code: c, signal: s })),
  );
  clearTimeout(timer);
  const peak = new RegExp(`${marker} (\\d+)`).exec(stderr);
  return {
    code,
    signal,
    stdout,
    stderr,
    peakRssMb: peak ? Number(peak[1]) / 1024 : NaN,
    wallSeconds: (Date.now() - started) / 1000,
  };
}

/** `migrate verify` of `source` against `target`, its report in `report`. */
export function runVerify(source: string, target: string, report: string): Promise<CliResult> {
  return runMigrate(['verify', '--source', source, '--target', target, '--report', report]);
}

export function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export function workDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `pgmove-${prefix}-`));
}

/** Builds a SQLite file from one of test/fixtures/sql/*.sql. */
export function buildSqlite(sqlFile: string, dir: string): string {
  const path = join(dir, sqlFile.replace(/\.sql$/, '.sqlite'));
  const db = new Database(path);
  db.exec(readFileSync(join(FIXTURES, 'sql', sqlFile), 'utf8'));
  db.close();
  return path;
}

export function readReport(path: string): MigrationReport {
  return JSON.parse(readFileSync(path, 'utf8')) as MigrationReport;
}

/** Rows of ad-hoc test queries, whose columns each test reads as it needs. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRow = Record<string, any>;
