import type { SqliteValue } from '../model/plan';

/**
 * A source value with no faithful form in the target column. `reason` says why, for the report.
 * It is an answer about data, not a fault of the code: it carries no stack, whose capture would cost
 * more than the rest of a rejected row's handling (a file of a million bad rows throws a million).
 */
export class BadValueError extends Error {
  readonly reason: string;

  constructor(reason: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(reason);
    Error.stackTraceLimit = limit;
    this.reason = reason;
  }
}

/** A short, printable preview of a source value for error messages. */
export function previewValue(value: SqliteValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'bigint' || typeof value === 'number') return String(value);
  if (Buffer.isBuffer(value)) {
    const hex = value.subarray(0, 24).toString('hex');
    return `X'${hex}${value.length > 24 ? '…' : ''}' (${value.length} bytes)`;
  }
  const shown = value.length > 60 ? value.slice(0, 60) + '…' : value;
  return JSON.stringify(shown);
}

/** A source value as JSON for reject records: bytes (and undecodable text) as base64. */
export function jsonValue(value: SqliteValue, rawText?: Buffer): unknown {
  if (rawText) return { base64: rawText.toString('base64') };
  if (value === null || typeof value === 'string') return value;
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  return { base64: value.toString('base64') };
}

/**
 * The identity of a row of a WITHOUT ROWID table: its primary-key values (as `jsonValue` gives
 * them, in column order). Orphan lookups, reject records and verification's skip list all use it.
 */
export function rowKeyText(keyValues: unknown[]): string {
  return 'key:' + JSON.stringify(keyValues);
}
