const NEEDS_ESCAPE = /[\\\n\r\t]/;

/** Escapes a value for PostgreSQL's COPY text format (the caller writes `\N` for NULL). */
export function escapeCopy(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/[\\\n\r\t]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t',
  );
}
