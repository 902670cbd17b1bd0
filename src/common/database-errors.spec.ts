import { databaseTimeoutOf, isDatabaseUnavailable, isInvalidInputValue } from './database-errors';

describe('databaseTimeoutOf', () => {
  it("tells the server's statement_timeout from the client's wait for an answer", () => {
    const cancelled = Object.assign(new Error('Query failed'), {
      driverError: Object.assign(new Error('canceling statement due to statement timeout'), {
        code: '57014',
      }),
    });
    expect(databaseTimeoutOf(cancelled)).toBe('statement');
    expect(databaseTimeoutOf(new Error('Query read timeout'))).toBe('answer');
    expect(databaseTimeoutOf(new Error('timeout exceeded when trying to connect'))).toBeNull();
  });
});

describe('isDatabaseUnavailable', () => {
  it("recognises pg-pool's wait timeout, a plain Error known only by its message", () => {
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
  });

  it('recognises a code carried by the driver error inside a TypeORM error', () => {
    const wrapped = Object.assign(new Error('Query failed'), {
      driverError: Object.assign(new Error('terminating connection'), { code: '57P01' }),
    });
    expect(isDatabaseUnavailable(wrapped)).toBe(true);
  });

  it('recognises connection error codes', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe(true);
  });

  it('leaves other errors alone', () => {
    expect(isDatabaseUnavailable(new Error('relation "x" does not exist'))).toBe(false);
    expect(isDatabaseUnavailable('timeout')).toBe(false);
  });
});

describe('isInvalidInputValue', () => {
  it('recognises values PostgreSQL refuses', () => {
    const outOfRange = Object.assign(new Error('Query failed'), {
      driverError: Object.assign(new Error('value "9999999999" is out of range for type integer'), {
        code: '22003',
      }),
    });
    expect(isInvalidInputValue(outOfRange)).toBe(true);
    expect(isInvalidInputValue(Object.assign(new Error('x'), { code: '23505' }))).toBe(false);
  });
});
