import type { ArgumentsHost } from '@nestjs/common';
import { NotFoundException, UnauthorizedException } from '@nestjs/common';
import { ConflictError, InvalidFieldError, JobBusyError, NotFoundError } from './domain-errors';
import { ERROR_CODES } from './error-codes';
import { type ErrorBody, HttpErrorFilter } from './http-exception.filter';

function answer(exception: unknown): { status: number; body: ErrorBody; headers: Record<string, string> } {
  const out = { status: 0, body: undefined as unknown as ErrorBody, headers: {} as Record<string, string> };
  const res = {
    headersSent: false,
    setHeader: (name: string, value: string) => (out.headers[name] = value),
    status(code: number) {
      out.status = code;
      return this;
    },
    json: (body: ErrorBody) => (out.body = body),
  };
  const host = { switchToHttp: () => ({ getResponse: () => res }) } as unknown as ArgumentsHost;
  new HttpErrorFilter().catch(exception, host);
  return out;
}

describe('HttpErrorFilter', () => {
  it.each([
    [new NotFoundError('entry', 7), 404, 'NOT_FOUND'],
    [new ConflictError('taken', 'SOURCE_NAME_TAKEN', 'name'), 409, 'SOURCE_NAME_TAKEN'],
    [new JobBusyError('busy'), 409, 'JOB_BUSY'],
    [new InvalidFieldError('sourceId', 'source 9 does not exist'), 400, 'VALIDATION_FAILED'],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 503, 'DB_UNAVAILABLE'],
    [
      Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }),
      503,
      'DB_TIMEOUT',
    ],
    [new Error('Query read timeout'), 503, 'DB_TIMEOUT'],
    [Object.assign(new Error('out of range'), { code: '22003' }), 400, 'VALUE_REFUSED'],
    [Object.assign(new Error('dup'), { code: '23505' }), 409, 'CONFLICT'],
    [new UnauthorizedException('no'), 401, 'UNAUTHORIZED'],
    [new NotFoundException('Cannot GET /x'), 404, 'NOT_FOUND'],
    [new Error('bug'), 500, 'INTERNAL_ERROR'],
  ])('answers %s with %i and its code', (exception, status, code) => {
    const { status: got, body } = answer(exception);
    expect([got, body.statusCode, body.code]).toEqual([status, status, code]);
    expect(ERROR_CODES[body.code].status).toBe(status);
  });

  it('keeps the field list of a validation failure and asks for a retry on 503', () => {
    expect(answer(new InvalidFieldError('cursor', 'is not a cursor')).body).toEqual({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      error: 'Bad Request',
      message: ['cursor: is not a cursor'],
      fields: { cursor: ['cursor: is not a cursor'] },
    });
    const unavailable = answer(Object.assign(new Error('Connection terminated'), { code: '57P01' }));
    expect(unavailable.headers['Retry-After']).toBe('5');
  });
});
