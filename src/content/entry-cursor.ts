/** Opaque keyset cursor for entry pages: the (publishedAt, id) of the last row of the previous page. */
export interface EntryCursor {
  publishedAt: Date;
  id: number;
}

export function encodeEntryCursor(cursor: EntryCursor): string {
  return Buffer.from(`${cursor.publishedAt.getTime()}:${cursor.id}`, 'utf8').toString('base64url');
}

/** Returns null for anything that is not a cursor this service produced. */
export function decodeEntryCursor(value: string): EntryCursor | null {
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(value)) return null;
  const m = /^(-?\d{1,15}):(\d{1,15})$/.exec(Buffer.from(value, 'base64url').toString('utf8'));
  if (!m) return null;
  const publishedAt = new Date(Number(m[1]));
  const id = Number(m[2]);
  return Number.isNaN(publishedAt.getTime()) || id < 1 ? null : { publishedAt, id };
}
