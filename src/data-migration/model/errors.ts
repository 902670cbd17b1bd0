import type { BadRow } from './plan';

/** A failure the run reports as it is: it names what is wrong and the way out (no stack trace). */
export class MigrationError extends Error {
  constructor(
    message: string,
    readonly badRow?: BadRow,
  ) {
    super(message);
  }
}
