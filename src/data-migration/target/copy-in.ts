import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';

/**
 * One `COPY … FROM STDIN` statement on a session, fed piece by piece with backpressure. The
 * statement starts with its first piece, so a run of pieces can be cut into several statements
 * (with other statements between them) inside one transaction.
 */
export class CopyIn {
  private stream: ReturnType<typeof copyStreams.from> | undefined;

  constructor(
    private readonly client: pg.Client,
    private readonly sql: string,
  ) {}

  async write(piece: Buffer): Promise<void> {
    const stream = (this.stream ??= this.started());
    // A stream PostgreSQL already refused has no 'drain' to come: its error is the answer.
    if (stream.destroyed) {
      await finished(stream);
      throw new Error(`${this.sql}: the statement ended before its last row`);
    }
    if (!stream.write(piece)) await once(stream, 'drain');
  }

  /**
   * Gives an unfinished statement up (its rows were not all made: a bad row, another job's failure):
   * PostgreSQL is told the COPY failed, so the session is free for the ROLLBACK that follows.
   * Without this the ROLLBACK would queue behind a COPY that never ends.
   */
  async abort(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    if (!stream || stream.destroyed) return;
    stream.destroy(new Error('COPY given up: the rows being copied could not all be made'));
    await finished(stream).catch(() => undefined);
  }

  private started(): ReturnType<typeof copyStreams.from> {
    const stream = this.client.query(copyStreams.from(this.sql));
    // A refusal that arrives between pieces is not lost: the next write or end() finds the stream
    // destroyed and answers with its error (`finished`); this listener only keeps it from crashing.
    stream.on('error', () => undefined);
    return stream;
  }

  /** Ends the statement, if one was started, once PostgreSQL has taken every piece. */
  async end(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    if (!stream) return;
    stream.end();
    await finished(stream);
  }
}

/** One COPY statement of a whole text. */
export async function copyText(client: pg.Client, sql: string, text: Buffer): Promise<void> {
  const copy = new CopyIn(client, sql);
  await copy.write(text);
  await copy.end();
}
