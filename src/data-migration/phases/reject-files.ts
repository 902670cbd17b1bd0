import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * `<report>.rejects/<table>.jsonl`: one reject record per line, appended as the records come (from
 * the target's rejects table after a migrate, straight from the rows during an export), never held
 * whole. The directory is emptied when opened and made at the first record.
 */
export class RejectFiles {
  private readonly files = new Map<string, number>();

  constructor(readonly directory: string) {
    rmSync(directory, { recursive: true, force: true });
  }

  /** Text of whole lines (each ending in a newline) for `table`'s file. */
  append(table: string, text: string | Buffer): void {
    let fd = this.files.get(table);
    if (fd === undefined) {
      mkdirSync(this.directory, { recursive: true });
      fd = openSync(`${this.directory}/${table.replace(/[/\\\0]/g, '_')}.jsonl`, 'w');
      this.files.set(table, fd);
    }
    if (typeof text === 'string') writeSync(fd, text);
    else writeSync(fd, text);
  }

  /** The directory's absolute path if any record was written. */
  close(): string | undefined {
    for (const fd of this.files.values()) closeSync(fd);
    const used = this.files.size > 0;
    this.files.clear();
    return used ? resolve(this.directory) : undefined;
  }
}
