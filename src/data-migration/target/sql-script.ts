import { createWriteStream, renameSync, rmSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import { sqlLiteral } from './run-state';

/**
 * A psql script being written: statements, `COPY … FROM stdin` blocks and tolerant statements, to
 * `<path>.partial` (gzip-compressed when the path ends in `.gz`), renamed to `path` only when it is
 * complete, so a failed export never leaves a script that looks whole. Writes wait for the disk (and
 * gzip): memory stays bounded whatever the script's size.
 */
export class SqlScript {
  private readonly file: WriteStream;
  private readonly gzip: Gzip | undefined;
  private readonly partial: string;
  private bytes = 0;
  private failure: Error | undefined;

  constructor(readonly path: string) {
    this.partial = `${path}.partial`;
    this.file = createWriteStream(this.partial);
    // A disk that refuses (full, gone) fails the next write rather than the process.
    this.file.on('error', (error) => (this.failure ??= error));
    this.gzip = path.endsWith('.gz') ? createGzip() : undefined;
    this.gzip?.pipe(this.file);
  }

  /** Uncompressed bytes written so far. */
  get size(): number {
    return this.bytes;
  }

  async write(text: string | Buffer): Promise<void> {
    if (this.failure) throw new Error(`cannot write ${this.partial}: ${this.failure.message}`);
    const out = this.gzip ?? this.file;
    this.bytes += typeof text === 'string' ? Buffer.byteLength(text) : text.length;
    if (!out.write(text)) await once(out, 'drain');
  }

  async comment(text: string): Promise<void> {
    await this.write(
      text
        .split('\n')
        .map((l) => `-- ${l}`.trimEnd())
        .join('\n') + '\n',
    );
  }

  async statement(sql: string): Promise<void> {
    await this.write(`${sql.trim().replace(/;$/, '')};\n`);
  }

  /** A statement whose refusal is a warning, not a failure of the load (what migrate lists as not carried). */
  async tolerant(sql: string, label: string): Promise<void> {
    await this.doBlock(
      `BEGIN\n  EXECUTE ${sqlLiteral(sql)};\nEXCEPTION WHEN OTHERS THEN\n  RAISE WARNING 'pgmove: not carried over: %: %', ${sqlLiteral(label)}, SQLERRM;\nEND`,
    );
  }

  /** A PL/pgSQL block (`DO`), dollar-quoted with a tag its body does not contain. */
  async doBlock(body: string): Promise<void> {
    let tag = '$pgmove$';
    for (let n = 1; body.includes(tag); n++) tag = `$pgmove${n}$`;
    await this.write(`DO ${tag}\n${body}\n${tag};\n`);
  }

  /**
   * A `COPY … FROM stdin` block, begun at its first piece and ended by `end()`, so a run of pieces can
   * be cut into several blocks with other statements between them (as CopyIn does on a session).
   */
  copyBlock(copySql: string): { write(piece: Buffer): Promise<void>; end(): Promise<void> } {
    let open = false;
    return {
      write: async (piece) => {
        if (!open) await this.write(`${copySql};\n`);
        open = true;
        await this.write(piece);
      },
      end: async () => {
        if (open) await this.write('\\.\n');
        open = false;
      },
    };
  }

  /** Flushes and closes the file, then gives it its name. */
  async finish(): Promise<void> {
    const out = this.gzip ?? this.file;
    out.end();
    await finished(this.file);
    renameSync(this.partial, this.path);
  }

  /** Closes and removes the unfinished file. */
  async abandon(): Promise<void> {
    (this.gzip ?? this.file).end();
    await finished(this.file).catch(() => undefined);
    rmSync(this.partial, { force: true });
  }
}
