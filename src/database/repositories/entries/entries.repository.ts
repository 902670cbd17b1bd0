import { In } from 'typeorm';
import type { DatabaseConnection } from '../../database-connection';
import { Entry, Source } from '../../entities';

/** The key an entry page continues after: the (publishedAt, id) of the previous page's last row. */
export interface EntryKey {
  publishedAt: Date;
  id: number;
}

/** Which entries a page holds, oldest first: every filter optional. */
export interface EntryPageFilter {
  sourceId?: number;
  /** published at or after */
  from?: Date;
  /** published before */
  to?: Date;
  after?: EntryKey;
}

/** One SQL statement with its parameters; `name` names a prepared statement on PostgreSQL. */
export interface Statement {
  name: string;
  text: string;
  values: unknown[];
}

export type BatchInsertResult = { stored: Entry[] } | { missingSourceAt: number };

/**
 * entries. The hot paths (one INSERT, a page) are written per dialect; the rest is TypeORM on both.
 * The provider answers with the variant of the database the service talks to.
 */
export abstract class EntriesRepository {
  constructor(protected readonly db: DatabaseConnection) {}

  /** Inserts one entry in one statement and returns its id; an unknown source is a foreign-key violation. */
  abstract insertOne(entry: Entry): Promise<number>;

  /** Up to `limit + 1` rows in (publishedAt, id) order: the extra one tells whether a next page exists. */
  abstract page(filter: EntryPageFilter, limit: number): Promise<Entry[]>;

  /** The page's SQL, as `page` runs it (the query-plan tests read it). */
  abstract pageStatement(filter: EntryPageFilter, limit: number): Statement;

  create(values: Omit<Entry, 'id'>): Entry {
    return this.db.dataSource.getRepository(Entry).create(values);
  }

  findById(id: number): Promise<Entry | null> {
    return this.db.dataSource.getRepository(Entry).findOneBy({ id });
  }

  /**
   * Inserts all entries in one transaction, all or none. When a source does not exist nothing is
   * inserted and the index of the first entry naming it is returned.
   */
  insertBatch(entries: Entry[]): Promise<BatchInsertResult> {
    return this.db.transaction(async (manager) => {
      const sourceIds = [...new Set(entries.map((e) => e.sourceId))];
      const found = await manager.find(Source, { select: { id: true }, where: { id: In(sourceIds) } });
      const known = new Set(found.map((s) => s.id));
      const missing = entries.findIndex((e) => !known.has(e.sourceId));
      if (missing >= 0) return { missingSourceAt: missing };
      return { stored: await manager.save(Entry, entries, { chunk: 500 }) };
    });
  }
}
