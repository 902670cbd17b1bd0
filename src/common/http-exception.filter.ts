import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Response } from 'express';
import {
  isDatabaseUnavailable,
  isForeignKeyViolation,
  isInvalidInputValue,
  isUniqueViolation,
} from './database-errors';
import { ConflictError, InvalidFieldError, JobBusyError, NotFoundError } from './domain-errors';

/** Seconds a client should wait before retrying while the database is unavailable. */
export const RETRY_AFTER_SECONDS = 5;

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
  fields?: Record<string, string[]>;
}

/**
 * Turns every error into a JSON answer: domain errors into 4xx, a lost or saturated database into a
 * quick 503 (so clients and load balancers retry instead of waiting), and the rest into a logged 500.
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
    if (exception instanceof HttpException) {
      const response = exception.getResponse();
      if (typeof response === 'object')
        return { ...(response as ErrorBody), statusCode: exception.getStatus() };
      return { statusCode: exception.getStatus(), error: exception.name, message: response };
    }
    if (exception instanceof NotFoundError) {
      return { statusCode: 404, error: 'Not Found', message: exception.message };
    }
    if (exception instanceof InvalidFieldError) {
      return {
        statusCode: 400,
        error: 'Bad Request',
        message: [exception.message],
        fields: { [exception.field]: [exception.message] },
      };
    }
    if (exception instanceof ConflictError || exception instanceof JobBusyError) {
      return { statusCode: 409, error: 'Conflict', message: exception.message };
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn(`Database unavailable: ${errorMessage(exception)}`);
      return {
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        error: 'Service Unavailable',
        message: `The database is unavailable or busy; retry in ${RETRY_AFTER_SECONDS} s`,
      };
    }
    if (isInvalidInputValue(exception)) {
      // Validation should have caught it; this keeps a value the database cannot hold a 400, not a 500.
      return {
        statusCode: HttpStatus.BAD_REQUEST,
        error: 'Bad Request',
        message: [`A value was refused by the database: ${errorMessage(exception)}`],
      };
    }
    if (isUniqueViolation(exception) || isForeignKeyViolation(exception)) {
      return { statusCode: 409, error: 'Conflict', message: 'The change conflicts with existing data' };
    }
    this.logger.error(
      exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
    );
    return { statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' };
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
