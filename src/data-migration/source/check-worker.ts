import { parentPort, workerData } from 'node:worker_threads';
import { runSourceCheck, type SourceCheckRequest } from './source-checks';

// One read-only check of the source file on its own thread (see startSourceCheck).
const request = workerData as SourceCheckRequest;
try {
  parentPort?.postMessage({ result: runSourceCheck(request) });
} catch (error) {
  parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) });
}
