import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export const MAIN_JS = join(process.cwd(), 'dist', 'src', 'main.js');

export interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  elapsedMs: number;
}

/** Runs the built app (or an admin command) with exactly the given environment until it exits. */
export function runToExit(
  env: Record<string, string>,
  args: string[] = [],
  timeoutMs = 20000,
): Promise<Exited> {
  const started = Date.now();
  const child = spawn(process.execPath, [MAIN_JS, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output, elapsedMs: Date.now() - started });
    });
  });
}

export interface RunningApp {
  child: ChildProcess;
  baseUrl: string;
  output(): string;
  stop(): Promise<void>;
}

/** Starts the built server on the given port and waits until GET /health/live answers. */
export async function startApp(
  env: Record<string, string>,
  port: number,
  timeoutMs = 15000,
): Promise<RunningApp> {
  const child = spawn(process.execPath, [MAIN_JS], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port), ...env },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`app exited with ${child.exitCode}:\n${output}`);
    try {
      const res = await fetch(`${baseUrl}/health/live`);
      if (res.ok) return { child, baseUrl, output: () => output, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`app did not answer within ${timeoutMs} ms:\n${output}`);
}
