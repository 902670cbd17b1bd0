/** Classifies driver errors from pg and better-sqlite3 without depending on either's error classes. */

interface DriverErrorShape {
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  constraint?: unknown;
}

function shape(error: unknown): DriverErrorShape {
  if (typeof error !== 'object' || error === null) return {};
  const outer = error as DriverErrorShape;
  const inner = (
    typeof outer.driverError === 'object' && outer.driverError !== null ? outer.driverError : {}
  ) as DriverErrorShape;
  // Error#message is not enumerable, so the spreads above would drop it: it is read by name.
  return { ...inner, ...outer, code: inner.code ?? outer.code, message: outer.message ?? inner.message };
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08001',
  '08003',
  '08006',
  'SQLITE_BUSY',
  'SQLITE_CANTOPEN',
]);

const CONNECTION_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'connection timeout',
  'Client has encountered a connection error',
  'Cannot use a pool after calling end',
  'the database system is',
];

/** The database is unreachable, restarting, or every pooled connection is busy past the wait limit. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const { code, message } = shape(error);
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  return typeof message === 'string' && CONNECTION_MESSAGES.some((m) => message.includes(m));
}

/**
 * Which bound a query ran into, if any: `statement` when the server cancelled it (statement_timeout,
 * or an operator's pg_cancel_backend), `answer` when the client stopped waiting for a server that did
 * not answer at all (pg's query_timeout: "Query read timeout").
 */
export function databaseTimeoutOf(error: unknown): 'statement' | 'answer' | null {
  const { code, message } = shape(error);
  if (code === '57014') return 'statement'; // query_canceled
  return message === 'Query read timeout' ? 'answer' : null;
}

export function isUniqueViolation(error: unknown): boolean {
  const { code } = shape(error);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export function isForeignKeyViolation(error: unknown): boolean {
  const { code } = shape(error);
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

const INVALID_VALUE_CODES = new Set([
  '22001', // string_data_right_truncation
  '22003', // numeric_value_out_of_range: an id or number beyond the column's type
  '22007', // invalid_datetime_format
  '22008', // datetime_field_overflow
  '22021', // character_not_in_repertoire: e.g. a NUL character in text
  '22P02', // invalid_text_representation
]);

/** The database refused a value the client sent (out of range, malformed): the request was bad. */
export function isInvalidInputValue(error: unknown): boolean {
  const { code } = shape(error);
  return typeof code === 'string' && INVALID_VALUE_CODES.has(code);
}
