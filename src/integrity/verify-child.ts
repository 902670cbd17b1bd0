import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MigrationReport } from '../data-migration/model/report';

/** What `migrate verify` said, boiled down for the integrity result. */
export interface VerifyOutcome {
  source: string;
  exitCode: number | null;
  ok: boolean;
  problems: string[];
  seconds: number;
}

/**
 * The built entry point (`dist/src/main.js`; `migrate` is a mode of it): next to this file's folder
 * in the build; from the working directory where there is no __dirname (the tests' ESM mode).
 */
const mainJs = (): string =>
  typeof __dirname === 'string'
    ? join(__dirname, '..', 'main.js')
    : join(process.cwd(), 'dist', 'src', 'main.js');

export interface VerifyChild {
  child: ChildProcess;
  done: Promise<VerifyOutcome>;
}

/**
 * Runs the built `migrate verify --source FILE` in a child process, as an operator would: the tool's
 * internals stay its own, and its CPU-heavy digests do not share the service's event loop. `onLine`
 * gets its progress lines (plain lines: the child has no TTY). `env` carries DATABASE_URL (the target).
 */
export function startVerify(
  source: string,
  env: Record<string, string | undefined>,
  onLine: (line: string) => void,
): VerifyChild {
  const dir = mkdtempSync(join(tmpdir(), 'pgmove-integrity-'));
  const reportPath = join(dir, 'verify.json');
  const started = Date.now();
  const child = spawn(
    process.execPath,
    [mainJs(), 'migrate', 'verify', '--source', source, '--report', reportPath],
    {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let tail = '';
  const read = (chunk: Buffer): void => {
    const lines = (tail + chunk.toString()).split(/\r?\n/);
    tail = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) onLine(line.trim());
  };
  child.stdout?.on('data', read);
  child.stderr?.on('data', read);
  const done = new Promise<VerifyOutcome>((resolve) => {
    child.on('close', (code) => {
      const seconds = (Date.now() - started) / 1000;
      resolve({ source, exitCode: code, ...readOutcome(reportPath, code, tail), seconds });
      rmSync(dir, { recursive: true, force: true });
    });
  });
  return { child, done };
}

function readOutcome(
  path: string,
  code: number | null,
  lastLine: string,
): { ok: boolean; problems: string[] } {
  let report: MigrationReport;
  try {
    report = JSON.parse(readFileSync(path, 'utf8')) as MigrationReport;
  } catch {
    return {
      ok: false,
      problems: [`migrate verify exited ${code ?? 'on a signal'} without a report: ${lastLine}`],
    };
  }
  const problems = [
    ...report.tables.flatMap((t) => (t.verification?.problems ?? []).map((p) => `table ${t.table}: ${p}`)),
    ...(report.verification?.schemaProblems ?? []),
    ...(report.verification?.sequenceProblems ?? []),
    ...(report.failure ? [report.failure.message] : []),
  ];
  const ok = code === 0 && report.verification?.ok === true;
  return {
    ok,
    problems: ok || problems.length > 0 ? problems : [`migrate verify exited ${code ?? 'on a signal'}`],
  };
}
