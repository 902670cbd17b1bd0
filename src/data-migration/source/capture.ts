import Database from 'better-sqlite3';
import type { SourceSchema, SourceTable } from '../model/catalog';
import { MigrationError } from '../model/errors';
import { sqlString, sqliteIdent } from './sqlite-schema';

/**
 * Change capture for an online migration: triggers on every copied table record the key of each
 * row another process inserts, updates or deletes in a change log inside the source file (the only
 * place another process's writes can be seen). This is the one case where the tool writes to the
 * source: two tables of its own and triggers, never a data table. After the cut-over the capture
 * triggers are replaced by ones that refuse writes, so nothing can be written to the file and lost.
 */
export const CHANGE_LOG = '_pgmove_changes';
export const CAPTURE_STATE = '_pgmove_state';
const PREFIX = '_pgmove_';

export const isCaptureObject = (name: string): boolean => name.startsWith(PREFIX);

export interface CaptureState {
  status: 'capturing' | 'moved';
  startedAt: string;
  movedTo: string | null;
  movedAt: string | null;
}

// Writers hold the lock for milliseconds; the capture's own DDL waits for them this long at most.
const BUSY_TIMEOUT_MS = 10_000;

export function openWritable(path: string): Database.Database {
  return new Database(path, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
}

/** The key of a row as the triggers log it: a JSON array of its primary-key values. */
function keyJson(row: 'NEW' | 'OLD', keyColumns: string[]): string {
  return `json_array(${keyColumns.map((c) => `${row}.${sqliteIdent(c)}`).join(', ')})`;
}

function triggerName(table: string, what: string): string {
  return sqliteIdent(`${PREFIX}${what}_${table}`);
}

/** The capture triggers of one table: after each insert, update (old and, if it moved, new key) and delete. */
function captureTriggers(t: SourceTable, keyColumns: string[]): { name: string; sql: string }[] {
  const table = sqliteIdent(t.name);
  const log = (row: 'NEW' | 'OLD'): string =>
    `INSERT INTO ${CHANGE_LOG} (tbl, key) VALUES (${sqlString(t.name)}, ${keyJson(row, keyColumns)});`;
  const moved = keyColumns.map((c) => `NEW.${sqliteIdent(c)} IS NOT OLD.${sqliteIdent(c)}`).join(' OR ');
  const replacedByInsert = replacedRowsLog(t, keyColumns, 'NEW');
  const replacedByUpdate = replacedRowsLog(t, keyColumns, 'OLD');
  return [
    { what: 'ins', event: 'AFTER INSERT', body: log('NEW') },
    ...(replacedByInsert ? [{ what: 'rins', event: 'BEFORE INSERT', body: replacedByInsert }] : []),
    ...(replacedByUpdate ? [{ what: 'rupd', event: 'BEFORE UPDATE', body: replacedByUpdate }] : []),
    {
      what: 'upd',
      event: 'AFTER UPDATE',
      body: `${log('OLD')} INSERT INTO ${CHANGE_LOG} (tbl, key) SELECT ${sqlString(t.name)}, ${keyJson('NEW', keyColumns)} WHERE ${moved};`,
    },
    { what: 'del', event: 'AFTER DELETE', body: log('OLD') },
  ].map(({ what, event, body }) => ({
    name: `${PREFIX}${what}_${t.name}`,
    sql: `CREATE TRIGGER ${triggerName(t.name, what)} ${event} ON ${table} FOR EACH ROW BEGIN ${body} END`,
  }));
}

/**
 * Rows that `INSERT OR REPLACE` (or `ON CONFLICT REPLACE`) deletes because they clash with the new
 * row on a UNIQUE index fire no DELETE trigger unless the writer's own connection set
 * recursive_triggers, which another process can't. Before each insert or update, the keys of rows
 * holding the new row's unique values are logged: the catch-up re-reads them and finds them gone.
 * If nothing is replaced (the row clashed with none, or the statement failed), the entry is a
 * re-read of an unchanged row, or rolled back with the statement. The row's own key (`self`: NEW
 * for an insert, OLD for an update) is logged by the AFTER triggers already. Expression members
 * can't be matched here: such a replace is found by the cut-over's row counts.
 */
function replacedRowsLog(t: SourceTable, keyColumns: string[], self: 'NEW' | 'OLD'): string | undefined {
  const unique = t.indexes.filter(
    (i) => i.unique && i.origin !== 'pk' && i.columns.every((c) => c.name !== null),
  );
  if (unique.length === 0) return undefined;
  const key = `json_array(${keyColumns.map((c) => `o.${sqliteIdent(c)}`).join(', ')})`;
  const other = `NOT (${keyColumns.map((c) => `o.${sqliteIdent(c)} IS ${self}.${sqliteIdent(c)}`).join(' AND ')})`;
  return unique
    .map((i) => {
      const clash = i.columns.map((c) => `o.${sqliteIdent(c.name ?? '')} = NEW.${sqliteIdent(c.name ?? '')}`);
      return `INSERT INTO ${CHANGE_LOG} (tbl, key) SELECT ${sqlString(t.name)}, ${key} FROM ${sqliteIdent(t.name)} o WHERE ${clash.join(' AND ')} AND ${other};`;
    })
    .join(' ');
}

export function readCaptureState(db: Database.Database): CaptureState | undefined {
  const exists = db
    .prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?`)
    .get(CAPTURE_STATE);
  if (!exists) return undefined;
  const row = db
    .prepare(`SELECT status, started_at, moved_to, moved_at FROM ${CAPTURE_STATE} WHERE id = 1`)
    .get() as
    | { status: CaptureState['status']; started_at: string; moved_to: string | null; moved_at: string | null }
    | undefined;
  return (
    row && { status: row.status, startedAt: row.started_at, movedTo: row.moved_to, movedAt: row.moved_at }
  );
}

/**
 * Adds the change log, the state row and the triggers, in one write transaction: every write
 * committed after it is logged. Returns the names of what it added.
 */
export function installCapture(
  path: string,
  tables: { table: SourceTable; keyColumns: string[] }[],
): string[] {
  const db = openWritable(path);
  try {
    const added: string[] = [CHANGE_LOG, CAPTURE_STATE];
    db.transaction(() => {
      // The log's time is the writer's clock in seconds, written in a form every SQLite version knows.
      db.exec(`CREATE TABLE ${CHANGE_LOG} (
        seq INTEGER PRIMARY KEY, tbl TEXT NOT NULL, key TEXT NOT NULL,
        at REAL NOT NULL DEFAULT ((julianday('now') - 2440587.5) * 86400.0))`);
      db.exec(`CREATE TABLE ${CAPTURE_STATE} (id INTEGER PRIMARY KEY CHECK (id = 1), status TEXT NOT NULL,
        started_at TEXT NOT NULL, moved_to TEXT, moved_at TEXT)`);
      db.prepare(`INSERT INTO ${CAPTURE_STATE} (id, status, started_at) VALUES (1, 'capturing', ?)`).run(
        new Date().toISOString(),
      );
      for (const { table, keyColumns } of tables) {
        for (const trigger of captureTriggers(table, keyColumns)) {
          db.exec(trigger.sql);
          added.push(trigger.name);
        }
      }
    }).immediate();
    return added;
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY'))
      throw new MigrationError(
        `could not add the change capture to ${path}: its write lock stayed taken for ${BUSY_TIMEOUT_MS / 1000} s (writers that never leave it free between transactions); nothing was added, try again when they do`,
      );
    throw error;
  } finally {
    db.close();
  }
}

/** The capture objects `installCapture` would add for these tables that the file does not hold. */
export function missingCapture(
  db: Database.Database,
  tables: { table: SourceTable; keyColumns: string[] }[],
): string[] {
  const present = new Set(
    (db.prepare(`SELECT name FROM sqlite_schema`).pluck().all() as string[]).map((n) => n.toLowerCase()),
  );
  const expected = [
    CHANGE_LOG,
    CAPTURE_STATE,
    ...tables.flatMap(({ table, keyColumns }) => captureTriggers(table, keyColumns).map((t) => t.name)),
  ];
  return expected.filter((name) => !present.has(name.toLowerCase()));
}

/** Every object the capture added (or the cut-over left), removed in one transaction. */
export function removeCapture(path: string): string[] {
  const db = openWritable(path);
  try {
    const objects = db
      .prepare(
        `SELECT type, name FROM sqlite_schema WHERE name LIKE '\\_pgmove\\_%' ESCAPE '\\' ORDER BY type DESC`,
      )
      .all() as { type: string; name: string }[];
    db.transaction(() => {
      for (const o of objects)
        db.exec(`DROP ${o.type === 'trigger' ? 'TRIGGER' : 'TABLE'} IF EXISTS ${sqliteIdent(o.name)}`);
    }).immediate();
    return objects.map((o) => o.name);
  } finally {
    db.close();
  }
}

/**
 * The cut-over's last step on the source, inside the write transaction that paused its writers:
 * capture is replaced by triggers that refuse every write naming where the data went, the log is
 * dropped and the state says moved. Returns the names of the refusing triggers.
 */
export function markMoved(db: Database.Database, tables: SourceTable[], movedTo: string): string[] {
  const at = new Date().toISOString();
  const message = `pgmove: this database was moved to PostgreSQL ${movedTo} at ${at}; write there`;
  const old = db
    .prepare(
      `SELECT name FROM sqlite_schema WHERE type = 'trigger' AND name LIKE '\\_pgmove\\_%' ESCAPE '\\'`,
    )
    .all() as { name: string }[];
  for (const t of old) db.exec(`DROP TRIGGER ${sqliteIdent(t.name)}`);
  db.exec(`DROP TABLE ${CHANGE_LOG}`);
  const added: string[] = [];
  for (const t of tables) {
    for (const event of ['INSERT', 'UPDATE', 'DELETE']) {
      const name = `${PREFIX}moved_${event.toLowerCase()}_${t.name}`;
      db.exec(
        `CREATE TRIGGER ${sqliteIdent(name)} BEFORE ${event} ON ${sqliteIdent(t.name)} BEGIN SELECT RAISE(ABORT, ${sqlString(message)}); END`,
      );
      added.push(name);
    }
  }
  db.prepare(`UPDATE ${CAPTURE_STATE} SET status = 'moved', moved_to = ?, moved_at = ? WHERE id = 1`).run(
    movedTo,
    at,
  );
  return added;
}

/** The schema without the capture's own tables and triggers (they are never copied or listed). */
export function withoutCaptureObjects(schema: SourceSchema): SourceSchema {
  return {
    ...schema,
    tables: schema.tables.filter((t) => !isCaptureObject(t.name)),
    triggers: schema.triggers.filter((t) => !isCaptureObject(t)),
  };
}
