import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';

/** One line describing where a benchmark ran, for the record beside its numbers. */
export function describeMachine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const memGiB = Math.round(totalmem() / 2 ** 30);
  return `${cpus().length} × ${cpu}, ${memGiB} GiB RAM, Node ${process.version}, ${osName()}`;
}

function osName(): string {
  try {
    const release = execFileSync('sh', ['-c', '. /etc/os-release && echo "$PRETTY_NAME"']).toString().trim();
    return release || process.platform;
  } catch {
    return process.platform;
  }
}

export function commandVersion(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
      .toString()
      .split('\n')[0]
      ?.trim();
  } catch {
    return undefined;
  }
}
