// What COPY TO writes after a backslash in its text format, and the byte it stands for.
const BACKSLASH = 0x5c;
const UNESCAPED: Record<number, number> = {
  0x5c: 0x5c,
  0x6e: 0x0a,
  0x72: 0x0d,
  0x74: 0x09,
  0x62: 0x08,
  0x66: 0x0c,
  0x76: 0x0b,
};

/**
 * Decodes COPY's text format of one text column, piece by piece: an escape split between two
 * pieces is finished at the start of the next.
 */
export function copyTextDecoder(): (piece: Buffer) => Buffer {
  let pendingEscape = false;
  return (piece) => {
    if (!pendingEscape && piece.indexOf(BACKSLASH) < 0) return piece;
    const out = Buffer.allocUnsafe(piece.length);
    let n = 0;
    let i = 0;
    if (pendingEscape && piece.length > 0) {
      out[n++] = UNESCAPED[piece[0] ?? 0] ?? piece[0] ?? 0;
      i = 1;
      pendingEscape = false;
    }
    for (let at = piece.indexOf(BACKSLASH, i); at >= 0; at = piece.indexOf(BACKSLASH, i)) {
      n += piece.copy(out, n, i, at);
      if (at + 1 >= piece.length) {
        pendingEscape = true;
        i = piece.length;
        break;
      }
      const next = piece[at + 1] ?? 0;
      out[n++] = UNESCAPED[next] ?? next;
      i = at + 2;
    }
    if (i < piece.length) n += piece.copy(out, n, i);
    return out.subarray(0, n);
  };
}
