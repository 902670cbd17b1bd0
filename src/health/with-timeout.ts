export class HealthCheckTimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

/**
 * `probe`'s result, or a HealthCheckTimeoutError once `ms` have passed. The timer is cleared either way,
 * so a check that answers in time leaves nothing running behind it. The probe itself is not cancelled
 * (a query already sent waits for the database); only the health answer stops waiting for it.
 */
export function withTimeout<T>(probe: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new HealthCheckTimeoutError(ms)), ms);
    timer.unref();
  });
  return Promise.race([probe, timeout]).finally(() => clearTimeout(timer));
}

export function describeFailure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
