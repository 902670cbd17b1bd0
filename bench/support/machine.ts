import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';

/** One line describing where a benchmark ran, for the record beside its numbers. */
export function describeMachine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const memGiB = Math.round(totalmem() / 2 ** 30);
  // The load average shows whether anything else competed for the cores while the numbers were taken.
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
  return `${cpus().length} × ${cpu}, ${memGiB} GiB RAM, Node ${process.version}, ${osName()}, load average ${load} at the end`;
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
