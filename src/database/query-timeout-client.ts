import pg from 'pg';
import type { Socket } from 'node:net';

/** The message pg gives a query whose answer did not come within `query_timeout`. */
export const QUERY_READ_TIMEOUT_MESSAGE = 'Query read timeout';

const isQueryReadTimeout = (error: unknown): boolean =>
  error instanceof Error && error.message === QUERY_READ_TIMEOUT_MESSAGE;

type QueryFn = (...args: unknown[]) => unknown;

/**
 * The pool's client class: a pg.Client that drops its connection once a query's answer has not come
 * within `query_timeout`. pg itself only stops waiting: the query stays in flight on the socket, every
 * later query of that client queues behind it, and TypeORM hands such a client back to the pool as
 * healthy. A frozen server or a lost network would keep those clients stuck until TCP gives up;
 * destroying the socket fails what is queued at once, makes the pool discard the client (it is no
 * longer queryable) and open a fresh one, so the service recovers by itself when the server answers.
 */
export class QueryTimeoutClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    // query() has many overloads (promise, callback, submittable); wrapping the function keeps them all.
    const query = (this.query as unknown as QueryFn).bind(this);
    const wrapped: QueryFn = (...args) => {
      const last = args.length - 1;
      const callback = args[last];
      if (typeof callback === 'function') {
        args[last] = (error: unknown, ...rest: unknown[]) => {
          if (isQueryReadTimeout(error)) this.dropConnection();
          (callback as (...a: unknown[]) => unknown)(error, ...rest);
        };
      }
      const result = query(...args);
      if (result instanceof Promise) {
        result.catch((error: unknown) => {
          if (isQueryReadTimeout(error)) this.dropConnection();
        });
      }
      return result;
    };
    this.query = wrapped as unknown as pg.Client['query'];
  }

  private dropConnection(): void {
    // pg has no public way to abandon a query in flight; its own pipeline mode destroys the stream too.
    (this as unknown as { connection?: { stream?: Socket } }).connection?.stream?.destroy();
  }
}
