/**
 * Errors services throw; the HTTP layer (HttpErrorFilter) turns them into status codes by their `code`,
 * so services stay free of HTTP.
 */
import { AppError } from './app-error';
import type { ErrorCode } from './error-codes';

export class NotFoundError extends AppError {
  readonly code = 'NOT_FOUND';

  constructor(
    readonly entity: string,
    readonly id: string | number,
  ) {
    super(`${entity} ${id} not found`);
  }
}

export type ConflictCode = Extract<
  ErrorCode,
  'SOURCE_NAME_TAKEN' | 'SUBSCRIBER_EMAIL_TAKEN' | 'ENTRY_URL_TAKEN' | 'SOURCE_IN_DIGESTS' | 'CONFLICT'
>;

/** The request conflicts with existing data (a unique value taken, a row still referenced). */
export class ConflictError extends AppError {
  constructor(
    message: string,
    readonly code: ConflictCode,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Field path → messages, e.g. `{ publishedAt: ['publishedAt must be an ISO 8601 instant …'] }`. */
export type FieldErrors = Record<string, string[]>;

/** Input that cannot be used as given: every bad field with its messages. */
export class ValidationFailedError extends AppError {
  readonly code = 'VALIDATION_FAILED';

  constructor(readonly fields: FieldErrors) {
    super(Object.values(fields).flat().join('; '));
  }
}

/** A field refers to something that does not exist, or is otherwise unusable as given. */
export class InvalidFieldError extends ValidationFailedError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super({ [field]: [`${field}: ${message}`] });
    this.message = `${field}: ${message}`;
  }
}

/** Another run of the same job holds its lock. */
export class JobBusyError extends AppError {
  readonly code = 'JOB_BUSY';
}

/** Another integrity check runs; the message names it. */
export class IntegrityBusyError extends AppError {
  readonly code = 'INTEGRITY_BUSY';
}

export class IntegrityRefusedError extends AppError {
  readonly code = 'INTEGRITY_REFUSED';
}
