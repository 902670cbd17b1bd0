import { spawn } from 'node:child_process';

/**
 * The script of a writer process for the online tests: `setup` prepares statements on `db`; `op` is
 * one write transaction (it may read `done`, the writes so far, and `next`, an id counter from
 * 1,000,000). It writes about a thousand times a second until SIGTERM, or until the file refuses
 * writes after a cut-over, then prints how many it made.
 */
export function loopWriterScript(setup: string, op: string): string {
  return `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1], { timeout: 10000 });
${setup}
let stop = false, done = 0, next = 1000000;
process.on('SIGTERM', () => (stop = true));
const pause = new Int32Array(new SharedArrayBuffer(4));
const step = () => {
  for (let i = 0; i < 20 && !stop; i++) {
    try {
      ${op};
      done++;
    } catch (error) {
      if (!String(error.message).includes('moved to PostgreSQL')) throw error;
      stop = true;
    }
    Atomics.wait(pause, 0, 0, 1);
  }
  if (stop) { db.close(); process.stdout.write(String(done)); return; }
  if (done >= 20) process.stderr.write('writing\\n');
  setImmediate(step);
};
step();
`;
}

export interface LoopWriter {
  /** Stops the writer and returns how many writes it made; throws if it failed. */
  stop(): Promise<number>;
}

/** Starts a writer on the file at `path`; resolves once it is writing, rejects if it exits first. */
export async function startLoopWriter(script: string, path: string): Promise<LoopWriter> {
  const child = spawn(process.execPath, ['-e', script, path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const closed = new Promise<number | null>((r) => child.on('close', r));
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('writing')) resolve();
    });
    void closed.then((code) => reject(new Error(`the writer exited (${code}) before writing: ${err}`)));
  });
  return {
    async stop() {
      child.kill('SIGTERM');
      await closed;
      if (!/^\d+$/.test(out)) throw new Error(`the writer failed: ${err}`);
      return Number(out);
    },
  };
}
