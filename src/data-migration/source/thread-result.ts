import type { Worker } from 'node:worker_threads';

/** The one message a single-task thread posts, `{ result }` or `{ error }`, as a promise. */
export function threadResult<T>(worker: Worker, task: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    worker.once('message', (m: { result?: T; error?: string }) => {
      if (m.error === undefined) resolve(m.result as T);
      else reject(new Error(m.error));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`${task} thread exited (code ${code})`)));
  });
}
