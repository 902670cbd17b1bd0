import { Worker } from 'node:worker_threads';

// Hashing a large file is CPU work: on its own thread it overlaps the checks that run meanwhile.
const HASH_FILE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
try {
  const hash = createHash('sha256');
  const fd = fs.openSync(workerData, 'r');
  const buffer = Buffer.allocUnsafe(1 << 20);
  try {
    for (let n; (n = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0; ) hash.update(buffer.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  parentPort.postMessage({ hex: hash.digest('hex') });
} catch (error) {
  parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) });
}
`;

export function sha256File(path: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const worker = new Worker(HASH_FILE, { eval: true, workerData: path });
    worker.once('message', (m: { hex?: string; error?: string }) => {
      if (m.hex !== undefined) resolve(m.hex);
      else reject(new Error(m.error ?? 'cannot hash the source file'));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`file hashing thread exited (code ${code})`)));
  });
}
