import { createHash, hash, type Hash } from 'node:crypto';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';

const NEWLINE = 0x0a;

/**
 * Digest of a run of COPY text lines, fed in pieces that may split lines anywhere. Ordered digests
 * are the SHA-256 of the bytes (rows in key order on both sides); summed ones add each line's SHA-256 (its
 * first 8 bytes as a signed 64-bit integer), so they do not depend on row order. Rows are counted
 * by newlines: COPY text escapes the newlines inside values.
 */
export class CopyDigest {
  private readonly sha: Hash | undefined;
  private sum = 0n;
  private rows = 0;
  /** Summed digests: the start of a line split between pieces. */
  private partial: Buffer | undefined;

  constructor(readonly ordered: boolean) {
    // SHA-256 rather than md5: with the CPU's SHA instructions it is twice as fast here.
    this.sha = ordered ? createHash('sha256') : undefined;
  }

  add(piece: Buffer): void {
    if (this.sha) {
      this.sha.update(piece);
      for (let at = piece.indexOf(NEWLINE); at >= 0; at = piece.indexOf(NEWLINE, at + 1)) this.rows++;
      return;
    }
    const bytes = this.partial ? Buffer.concat([this.partial, piece]) : piece;
    let start = 0;
    for (let at = bytes.indexOf(NEWLINE); at >= 0; at = bytes.indexOf(NEWLINE, start)) {
      this.sum += hash('sha256', bytes.subarray(start, at), 'buffer').readBigInt64BE(0);
      this.rows++;
      start = at + 1;
    }
    this.partial = start < bytes.length ? bytes.subarray(start) : undefined;
  }

  result(): { rows: number; checksum: string } {
    if (this.partial) throw new Error('COPY text ended inside a line');
    return { rows: this.rows, checksum: this.sha ? this.sha.digest('hex') : this.sum.toString() };
  }
}

/** Streams the COPY text of a query's rows into `sink` (the client a `readback` session). */
export async function copyOut(
  client: pg.Client,
  query: string,
  sink: (piece: Buffer) => void,
): Promise<void> {
  const stream = client.query(copyStreams.to(`COPY (${query}) TO STDOUT`));
  for await (const piece of stream) sink(piece as Buffer);
}

/** A query's rows as COPY text, whole (for tests and small reads). */
export async function readBack(client: pg.Client, query: string): Promise<Buffer> {
  const pieces: Buffer[] = [];
  await copyOut(client, query, (p) => pieces.push(p));
  return Buffer.concat(pieces);
}

/** Combines ordered chunk digests (in chunk order) into a table checksum, the same on both sides. */
export function combineOrdered(hexes: string[]): string {
  if (hexes.length === 1) return hexes[0] ?? '';
  return hash('sha256', hexes.join(' '), 'hex');
}
