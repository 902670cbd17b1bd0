import type Database from 'better-sqlite3';
import { openSource, RawTextReader } from './source-reader';

/**
 * A thread's read-only handle on the run's snapshot of the source: every read of the file goes
 * through one (one per thread, and one per job on the main thread, since better-sqlite3 connections
 * can't interleave two running statements). Connections open on first use and close together.
 */
export class SourceHandle {
  private connection: Database.Database | undefined;
  private rawReader: RawTextReader | undefined;

  constructor(readonly path: string) {}

  get db(): Database.Database {
    this.connection ??= openSource(this.path);
    return this.connection;
  }

  /** A second connection for re-reading stored bytes while `db` iterates a table. */
  get raw(): RawTextReader {
    this.rawReader ??= new RawTextReader(this.path);
    return this.rawReader;
  }

  close(): void {
    this.connection?.close();
    this.connection = undefined;
    this.rawReader?.close();
    this.rawReader = undefined;
  }
}
