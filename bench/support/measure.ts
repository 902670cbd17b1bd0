import { spawn } from 'node:child_process';

export interface Measured {
  wallSeconds: number;
  peakRssMb: number;
  /** User + system CPU seconds of the command itself (not of the servers it talks to). */
  cpuSeconds: number;
  exitCode: number;
  output: string;
}

/**
 * Runs a command under GNU time (`apt-get install time`) for its wall time and peak resident memory.
 * The child's own stdout/stderr are kept for the record.
 */
export function measure(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<Measured> {
  const marker = '__BENCH_TIME__';
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', `${marker} %e %M %U %S`, command, ...args], { env });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wall = Number(process.hrtime.bigint() - started) / 1e9;
      const match = new RegExp(`${marker} ([\\d.]+) (\\d+) ([\\d.]+) ([\\d.]+)`).exec(output);
      resolve({
        wallSeconds: wall,
        peakRssMb: match ? Number(match[2]) / 1024 : NaN,
        cpuSeconds: match ? Number(match[3]) + Number(match[4]) : NaN,
        exitCode: code ?? -1,
        output: output.replace(new RegExp(`${marker}.*\\n?`), ''),
      });
    });
  });
}
