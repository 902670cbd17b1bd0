import type Database from 'better-sqlite3';
import { keyColumns, type PlannedTable, type SqliteValue } from '../model/plan';
import { CHANGE_LOG } from './capture';
import { rowidName } from './source-reader';
import { sqliteIdent } from './sqlite-schema';

/** The changes of one table in a window: current rows of the keys still there, and the keys gone. */
export interface TableChanges {
  table: PlannedTable;
  /** Rows as chunkRows reads them: the rowid (or NULL), then the planned columns. */
  present: SqliteValue[][];
  /** Primary-key values (in key order) of rows no longer in the source. */
  gone: SqliteValue[][];
}

export interface ChangeWindow {
  /** The log position the window ends at (inclusive); the start is the position it was read after. */
  to: bigint;
  changes: number;
  tables: TableChanges[];
}

/** The position of the newest change a file's log holds (0 for none). */
export function logPosition(db: Database.Database): bigint {
  const row = db.prepare(`SELECT coalesce(max(seq), 0) AS p FROM ${CHANGE_LOG}`).safeIntegers(true).get() as {
    p: bigint;
  };
  return row.p;
}

/**
 * Reads the change log of the live source (a read-only connection): each window is read in one
 * read transaction, so the rows it returns are the state the source was in at the window's end.
 */
export class ChangeReader {
  constructor(
    private readonly db: Database.Database,
    private readonly tables: PlannedTable[],
  ) {}

  schemaVersion(): number {
    return Number(this.db.pragma('schema_version', { simple: true }));
  }

  /** The position of the newest change logged so far. */
  latest(): bigint {
    return logPosition(this.db);
  }

  /** The tables (source names) with a change logged after `after`. */
  tablesChangedAfter(after: bigint): string[] {
    return this.db
      .prepare(`SELECT DISTINCT tbl FROM ${CHANGE_LOG} WHERE seq > ?`)
      .pluck()
      .all(after) as string[];
  }

  /** Changes logged after `after`, and how old the oldest of them is (seconds). */
  lag(after: bigint): { pending: number; secondsBehind: number } {
    const row = this.db
      .prepare(`SELECT count(*) AS n, min(at) AS oldest FROM ${CHANGE_LOG} WHERE seq > ?`)
      .get(after) as { n: number; oldest: number | null };
    return {
      pending: row.n,
      secondsBehind: row.oldest === null ? 0 : Math.max(0, Date.now() / 1000 - row.oldest),
    };
  }

  /** At most `limit` log entries after `after`, resolved to current rows and gone keys. */
  read(after: bigint, limit: number): ChangeWindow {
    this.db.exec('BEGIN');
    try {
      const bound = this.db
        .prepare(
          `SELECT max(seq) AS upto, count(*) AS n FROM (SELECT seq FROM ${CHANGE_LOG} WHERE seq > ? ORDER BY seq LIMIT ?)`,
        )
        .safeIntegers(true)
        .get(after, limit) as { upto: bigint | null; n: bigint };
      const to = bound.upto ?? after;
      const tables: TableChanges[] = [];
      if (bound.upto !== null) {
        for (const table of this.tables) {
          const changes = this.tableChanges(table, after, to);
          if (changes.present.length > 0 || changes.gone.length > 0) tables.push(changes);
        }
      }
      return { to, changes: Number(bound.n), tables };
    } finally {
      this.db.exec('COMMIT');
    }
  }

  private tableChanges(table: PlannedTable, after: bigint, to: bigint): TableChanges {
    const keys = keyColumns(table);
    const from = sqliteIdent(table.source.name);
    const logged = `(SELECT DISTINCT key FROM ${CHANGE_LOG} WHERE seq > ? AND seq <= ? AND tbl = ?) k`;
    const match = keys
      .map((c, i) => `t.${sqliteIdent(c.source.name)} = json_extract(k.key, '$[${i}]')`)
      .join(' AND ');
    const rowid = rowidName(table);
    const cols = table.columns.map((c) => `t.${sqliteIdent(c.source.name)}`).join(', ');
    const present = this.db
      .prepare(
        `SELECT ${rowid === null ? 'NULL' : `t.${rowid}`}, ${cols} FROM ${logged} JOIN ${from} t ON ${match}`,
      )
      .raw(true)
      .safeIntegers(true)
      .all(after, to, table.source.name) as SqliteValue[][];
    const gone = this.db
      .prepare(
        `SELECT ${keys.map((_c, i) => `json_extract(k.key, '$[${i}]')`).join(', ')} FROM ${logged}
         WHERE NOT EXISTS (SELECT 1 FROM ${from} t WHERE ${match})`,
      )
      .raw(true)
      .safeIntegers(true)
      .all(after, to, table.source.name) as SqliteValue[][];
    return { table, present, gone };
  }
}
