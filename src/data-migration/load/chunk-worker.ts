import { parentPort, workerData } from 'node:worker_threads';
import { fromPlainTable } from '../plan/plain-table';
import { SourceHandle } from '../source/source-handle';
import { closeSession, openSession } from '../target/sessions';
import { AbortedError, loadChunk } from './chunk-loader';
import { BadRowError } from './row-conversion';
import type { ToWorker, WorkerSettings } from './thread-messages';
import { sourceDigest } from '../verify/table-verifier';

/**
 * A load job on its own thread: reading SQLite and building COPY text is CPU work, so with --jobs N
 * it runs on N cores instead of sharing the main thread.
 */
const settings = workerData as WorkerSettings;
const port = parentPort;
let aborted = false;
const source = new SourceHandle(settings.sourcePath);
const session = openSession(settings.target, 'load');
session.catch(() => undefined);

port?.on('message', (message: ToWorker) => {
  if (message.type === 'abort') {
    aborted = true;
    return;
  }
  if (message.type === 'close') {
    void session
      .then(closeSession, () => undefined)
      .finally(() => {
        source.close();
        port.close();
      });
    return;
  }
  const table = fromPlainTable(message.table, settings.sourceZone);
  if (message.type === 'verify') {
    sourceDigest(source.db, source.raw, table, message.rejected, message.chunk).then(
      (digest) => port.postMessage({ type: 'digest', digest }),
      (error: unknown) =>
        port.postMessage({
          type: 'error',
          message: error instanceof Error ? error.message : String(error),
          aborted: false,
        }),
    );
    return;
  }
  session
    .then((client) =>
      loadChunk(
        {
          client,
          db: source.db,
          raw: source.raw,
          runId: settings.runId,
          onError: settings.onError,
          orphans: new Map(message.orphans ? [[table.source.name, message.orphans]] : []),
          onRows: (_table, rows) => port.postMessage({ type: 'rows', rows }),
          aborted: () => aborted,
          digest: message.digest,
        },
        table,
        message.chunk,
      ),
    )
    .then(
      (result) => port.postMessage({ type: 'done', result }),
      (error: unknown) =>
        port.postMessage({
          type: 'error',
          message: error instanceof Error ? error.message : String(error),
          bad: error instanceof BadRowError ? error.bad : undefined,
          aborted: error instanceof AbortedError,
        }),
    );
});
