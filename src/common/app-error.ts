import type { ErrorCode } from './error-codes';

/**
 * The one base of the service's own errors. `code` is stable and machine-readable; the HTTP filter maps
 * it to a status, so code that throws stays free of HTTP.
 */
export abstract class AppError extends Error {
  abstract readonly code: ErrorCode;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
