/**
 * Every `code` an error body can carry, with its HTTP status and what it means. Stable: clients may
 * branch on them. The README's error table is checked against this list by a test.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: {
    status: 400,
    meaning: 'A field is missing, malformed or names something that does not exist; `fields` names each.',
  },
  INVALID_JSON: { status: 400, meaning: 'The body is not valid JSON.' },
  VALUE_REFUSED: {
    status: 400,
    meaning: 'The database refused a value as out of its range or form (validation let it through).',
  },
  UNAUTHORIZED: {
    status: 401,
    meaning: 'An admin endpoint without `Authorization: Bearer $ADMIN_TOKEN`, or with a wrong one.',
  },
  NOT_FOUND: { status: 404, meaning: 'No such id, or no such path.' },
  SOURCE_NAME_TAKEN: { status: 409, meaning: 'Another source has this `name`.' },
  SUBSCRIBER_EMAIL_TAKEN: { status: 409, meaning: 'Another subscriber has this `email`.' },
  ENTRY_URL_TAKEN: { status: 409, meaning: 'Another entry has this `url`.' },
  SOURCE_IN_DIGESTS: {
    status: 409,
    meaning: "The source's entries appear in digests, so it cannot be deleted; deactivate it instead.",
  },
  CUTOVER_REFUSED: {
    status: 409,
    meaning:
      "An online migration's cut-over step was refused (not on SQLite, no `CUTOVER_DATABASE_URL`, the file not yet moved or already moved, writes that did not drain); the message says which.",
  },
  INTEGRITY_BUSY: {
    status: 409,
    meaning:
      'An integrity check is running (on any replica); the message names it: `GET /admin/integrity/:id`.',
  },
  INTEGRITY_REFUSED: {
    status: 409,
    meaning: 'The integrity check reads PostgreSQL only; the service runs on SQLite.',
  },
  JOB_BUSY: { status: 409, meaning: 'Another run of the job holds its lock; retry when it finishes.' },
  CONFLICT: { status: 409, meaning: 'The change conflicts with existing data.' },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'The body is larger than `HTTP_BODY_LIMIT_KB`.' },
  DB_UNAVAILABLE: {
    status: 503,
    meaning:
      'The database is unreachable or every pooled connection stayed busy past the wait limit; retry after `Retry-After` seconds.',
  },
  DB_TIMEOUT: {
    status: 503,
    meaning:
      'A statement ran past `DB_STATEMENT_TIMEOUT_MS` (the server cancelled it), or the database sent no answer within `DB_QUERY_TIMEOUT_MS`; the message says which; retry after `Retry-After` seconds.',
  },
  INTERNAL_ERROR: { status: 500, meaning: 'An unexpected error, logged with its stack.' },
  CONFIG_INVALID: {
    status: 500,
    meaning: 'Start-up only, never in a response: a setting is invalid; the process exits 1 listing each.',
  },
  HTTP_ERROR: { status: 0, meaning: 'Any other HTTP error (e.g. 405, 415); the status says which.' },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
