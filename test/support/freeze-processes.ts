import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Frozen {
  pids: number[];
  /** SIGCONT to every process frozen; safe to call twice. */
  thaw(): void;
}

/** SIGSTOP to each process: it keeps its sockets open and answers nothing, as a frozen VM. */
export function freezeProcesses(pids: number[]): Frozen {
  for (const pid of pids) process.kill(pid, 'SIGSTOP');
  let thawed = false;
  return {
    pids,
    thaw: () => {
      if (thawed) return;
      thawed = true;
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGCONT');
        } catch {
          // already gone
        }
      }
    },
  };
}

/** The postmaster of a PostgreSQL data directory and every process it started. */
export function postgresServerPids(dataDir: string): number[] {
  const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(postmaster)], { encoding: 'utf8' })
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((pid) => pid > 0);
  return [postmaster, ...children];
}
