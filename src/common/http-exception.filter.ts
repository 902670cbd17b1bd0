import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { AppError } from './app-error';
import {
  databaseTimeoutOf,
  isDatabaseUnavailable,
  isForeignKeyViolation,
  isInvalidInputValue,
  isUniqueViolation,
} from './database-errors';
import { ValidationFailedError } from './domain-errors';
import { ERROR_CODES, type ErrorCode } from './error-codes';

/** Seconds a client should wait before retrying while the database is unavailable. */
export const RETRY_AFTER_SECONDS = 5;

export interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
  error: string;
  message: string | string[];
  fields?: Record<string, string[]>;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The body of a 400 naming every bad field, in `message` (Nest's usual list) and in `fields`. */
export function validationBody(fields: Record<string, string[]>): ErrorBody {
  return {
    statusCode: 400,
    code: 'VALIDATION_FAILED',
    error: 'Bad Request',
    message: Object.values(fields).flat(),
    fields,
  };
}

function appErrorBody(error: AppError): ErrorBody {
  if (error instanceof ValidationFailedError) return validationBody(error.fields);
  const statusCode = ERROR_CODES[error.code].status;
  return { statusCode, code: error.code, error: REASONS[statusCode] ?? 'Error', message: error.message };
}

/** Nest's and Express's own HTTP errors (unknown route, body parser, guards) keep their body, plus a code. */
function httpExceptionBody(exception: HttpException): ErrorBody {
  const statusCode = exception.getStatus();
  const response = exception.getResponse();
  const body =
    typeof response === 'object'
      ? (response as Omit<ErrorBody, 'code'>)
      : { statusCode, error: exception.name, message: response };
  return { ...body, statusCode, code: codeOfHttpError(statusCode, exception) };
}

function codeOfHttpError(status: number, exception: HttpException): ErrorCode {
  switch (status) {
    case 400:
      // Express's JSON parser reports a body it cannot parse as a SyntaxError.
      return exception.cause instanceof SyntaxError || /JSON/.test(exception.message)
        ? 'INVALID_JSON'
        : 'VALIDATION_FAILED';
    case 401:
      return 'UNAUTHORIZED';
    case 404:
      return 'NOT_FOUND';
    case 413:
      return 'PAYLOAD_TOO_LARGE';
    case 503:
      return 'DB_UNAVAILABLE';
    default:
      return 'HTTP_ERROR';
  }
}

/**
 * The one place errors become HTTP answers, every body with a stable `code`: the service's AppErrors by
 * their code, a lost or saturated database as a quick 503 (so clients and load balancers retry instead
 * of waiting), a value the database refused as a 400, and the rest as a logged 500.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    const body = this.toBody(exception);
    if (body.statusCode === 503) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    res.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof AppError) return appErrorBody(exception);
    if (exception instanceof HttpException) return httpExceptionBody(exception);
    const timeout = databaseTimeoutOf(exception);
    if (timeout !== null) {
      this.logger.warn(`Database timeout: ${errorMessage(exception)}`);
      return {
        statusCode: 503,
        code: 'DB_TIMEOUT',
        error: 'Service Unavailable',
        message:
          timeout === 'statement'
            ? `A database statement ran past DB_STATEMENT_TIMEOUT_MS and was cancelled; retry in ${RETRY_AFTER_SECONDS} s`
            : `The database sent no answer within DB_QUERY_TIMEOUT_MS; retry in ${RETRY_AFTER_SECONDS} s`,
      };
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn(`Database unavailable: ${errorMessage(exception)}`);
      return {
        statusCode: 503,
        code: 'DB_UNAVAILABLE',
        error: 'Service Unavailable',
        message: `The database is unavailable or busy; retry in ${RETRY_AFTER_SECONDS} s`,
      };
    }
    if (isInvalidInputValue(exception)) {
      // Validation should have caught it; this keeps a value the database cannot hold a 400, not a 500.
      return {
        statusCode: 400,
        code: 'VALUE_REFUSED',
        error: 'Bad Request',
        message: [`A value was refused by the database: ${errorMessage(exception)}`],
      };
    }
    if (isUniqueViolation(exception) || isForeignKeyViolation(exception)) {
      return {
        statusCode: 409,
        code: 'CONFLICT',
        error: 'Conflict',
        message: 'The change conflicts with existing data',
      };
    }
    this.logger.error(
      exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
    );
    return {
      statusCode: 500,
      code: 'INTERNAL_ERROR',
      error: 'Internal Server Error',
      message: 'Internal server error',
    };
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
