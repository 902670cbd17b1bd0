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

export function isUniqueViolation(error: unknown): boolean {
  const { code } = shape(error);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export function isForeignKeyViolation(error: unknown): boolean {
  const { code } = shape(error);
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
