import { decodeEntryCursor, encodeEntryCursor } from './entry-cursor';

describe('entry cursor', () => {
  it('round-trips', () => {
    const cursor = { publishedAt: new Date('2026-11-25T15:30:00.123Z'), id: 42 };
    expect(decodeEntryCursor(encodeEntryCursor(cursor))).toEqual(cursor);
  });
  it.each([
    '',
    'not a cursor',
    "' OR 1=1 --",
    Buffer.from('x:1').toString('base64url'),
    Buffer.from('1:0').toString('base64url'),
  ])('refuses %p', (value) => {
    expect(decodeEntryCursor(value)).toBeNull();
  });
});
