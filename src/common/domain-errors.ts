/**
 * Errors services throw; the HTTP layer (DomainExceptionFilter) turns them into status codes, so
 * services stay free of HTTP.
 */
export class NotFoundError extends Error {
  constructor(
    readonly entity: string,
    readonly id: string | number,
  ) {
    super(`${entity} ${id} not found`);
  }
}

/** The request conflicts with existing data (a unique value taken, a row still referenced). */
export class ConflictError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** A field refers to something that does not exist, or is otherwise unusable as given. */
export class InvalidFieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** Another run of the same job holds its lock. */
export class JobBusyError extends Error {}
