import { Worker } from 'node:worker_threads';
import { threadResult } from './thread-result';

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
  parentPort.postMessage({ result: hash.digest('hex') });
} catch (error) {
  parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) });
}
`;

export function sha256File(path: string): Promise<string> {
  return threadResult<string>(new Worker(HASH_FILE, { eval: true, workerData: path }), 'file hashing');
}
