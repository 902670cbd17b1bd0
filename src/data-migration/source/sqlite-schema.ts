import type Database from 'better-sqlite3';
import { closingParen, isWord, splitTopLevel, tokenize, type Token } from '../schema/sql-tokens';
import type {
  SourceColumn,
  SourceIndex,
  SourceForeignKey,
  SourceTable,
  SourceSchema,
} from '../model/catalog';

// Tables SQLite's FTS3/4/5 and R*Tree modules keep behind a virtual table.
const SHADOW_SUFFIX = /^(content|data|idx|docsize|config|segments|segdir|stat|node|parent|rowid)$/i;

interface MasterRow {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
}

/** Reads the schema through PRAGMAs and sqlite_master, without writing anything. */
export function readSqliteSchema(db: Database.Database): SourceSchema {
  const master = db
    .prepare<[], MasterRow>(
      "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid",
    )
    .all();
  const hasSequence =
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'").get() !==
    undefined;
  const sequences = new Map<string, bigint>();
  if (hasSequence) {
    const rows = db.prepare('SELECT name, seq FROM sqlite_sequence').safeIntegers(true).all() as {
      name: string;
      seq: bigint | number | null;
    }[];
    for (const r of rows) if (r.seq !== null) sequences.set(r.name, BigInt(r.seq));
  }

  const tables: SourceTable[] = [];
  const virtualTables = master
    .filter((r) => r.type === 'table' && r.sql !== null && /^\s*CREATE\s+VIRTUAL\s+TABLE/i.test(r.sql))
    .map((r) => r.name);
  const isShadow = (name: string): boolean =>
    virtualTables.some(
      (v) =>
        name.toLowerCase().startsWith(v.toLowerCase() + '_') && SHADOW_SUFFIX.test(name.slice(v.length + 1)),
    );
  for (const m of master.filter((r) => r.type === 'table')) {
    if (m.sql === null || virtualTables.includes(m.name)) continue;
    if (isShadow(m.name)) {
      virtualTables.push(m.name);
      continue;
    }
    tables.push(readTable(db, m.name, m.sql, sequences));
  }
  return {
    tables,
    views: master.filter((r) => r.type === 'view' && r.sql).map((r) => ({ name: r.name, sql: r.sql ?? '' })),
    triggers: master.filter((r) => r.type === 'trigger').map((r) => r.name),
    triggerDefinitions: master
      .filter((r) => r.type === 'trigger' && r.sql !== null)
      .map((r) => ({ name: r.name, table: r.tbl_name, sql: r.sql ?? '' })),
    virtualTables,
  };
}

/** The views of the source with their SQL. */
export function readSourceViews(db: Database.Database): { name: string; sql: string }[] {
  return db
    .prepare<[], { name: string; sql: string }>(
      "SELECT name, sql FROM sqlite_master WHERE type = 'view' AND sql IS NOT NULL",
    )
    .all();
}

/** Why SQLite itself cannot run the view (a missing column, an unknown function), or undefined. */
export function viewRefusedBySqlite(db: Database.Database, view: string): string | undefined {
  try {
    db.prepare(`SELECT * FROM ${sqliteIdent(view)} LIMIT 0`);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

interface XInfoRow {
  cid: number;
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
  hidden: number;
}

function readTable(
  db: Database.Database,
  name: string,
  sql: string,
  sequences: Map<string, bigint>,
): SourceTable {
  const info = db.prepare<[], XInfoRow>(`PRAGMA table_xinfo(${sqlString(name)})`).all();
  const collations = columnCollations(sql);
  const columns: SourceColumn[] = info.map((c) => ({
    name: c.name,
    declaredType: c.type,
    notNull: c.notnull === 1,
    defaultSql: c.dflt_value,
    pkPosition: c.pk,
    generated: c.hidden === 2 || c.hidden === 3,
    ...(collations.has(c.name.toLowerCase()) ? { collation: collations.get(c.name.toLowerCase()) } : {}),
  }));
  const tokens = tokenize(sql).filter((t) => t.kind !== 'space');
  const withoutRowid = /\)\s*(?:STRICT\s*,\s*)?WITHOUT\s+ROWID\s*(?:,\s*STRICT\s*)?;?\s*$/i.test(sql);
  const pkColumns = columns.filter((c) => c.pkPosition > 0);
  let rowidAlias: string | null = null;
  const only = pkColumns[0];
  if (!withoutRowid && pkColumns.length === 1 && only && only.declaredType.toUpperCase() === 'INTEGER') {
    // "INTEGER PRIMARY KEY DESC" as a column constraint is the one spelling that is not a rowid alias.
    rowidAlias = isDescColumnPk(tokens, only.name) ? null : only.name;
  }
  const indexes = readIndexes(db, name);
  return {
    name,
    columns,
    rowidAlias,
    withoutRowid,
    autoincrement: tokens.some((t) => isWord(t, 'AUTOINCREMENT')),
    sequence: sequences.get(name) ?? null,
    indexes,
    foreignKeys: markDeferred(readForeignKeys(db, name), tokens),
    checks: extractChecks(tokens),
    sql,
  };
}

function isDescColumnPk(tokens: Token[], column: string): boolean {
  for (let i = 0; i + 3 < tokens.length; i++) {
    const t = tokens[i];
    if (t && (t.kind === 'word' || t.kind === 'quoted') && t.value.toLowerCase() === column.toLowerCase()) {
      let j = i + 1;
      while (j < tokens.length && !isWord(tokens[j], 'PRIMARY') && tokens[j]?.text !== ',') j++;
      if (isWord(tokens[j], 'PRIMARY') && isWord(tokens[j + 1], 'KEY') && isWord(tokens[j + 2], 'DESC'))
        return true;
    }
  }
  return false;
}

interface IndexListRow {
  name: string;
  unique: number;
  origin: 'c' | 'u' | 'pk';
  partial: number;
}

interface IndexXInfoRow {
  seqno: number;
  cid: number;
  name: string | null;
  desc: number;
  coll: string;
  key: number;
}

function readIndexes(db: Database.Database, table: string): SourceIndex[] {
  const list = db.prepare<[], IndexListRow>(`PRAGMA index_list(${sqlString(table)})`).all();
  return list.reverse().map((ix) => {
    const cols = db
      .prepare<[], IndexXInfoRow>(`PRAGMA index_xinfo(${sqlString(ix.name)})`)
      .all()
      .filter((c) => c.key === 1)
      .sort((a, b) => a.seqno - b.seqno);
    const row = db
      .prepare<[string], { sql: string | null }>('SELECT sql FROM sqlite_master WHERE name = ?')
      .get(ix.name);
    return {
      name: ix.name,
      unique: ix.unique === 1,
      origin: ix.origin,
      partial: ix.partial === 1,
      columns: cols.map((c) => ({
        name: c.cid === -2 ? null : c.name,
        desc: c.desc === 1,
        collation: c.coll,
      })),
      sql: row?.sql ?? null,
    };
  });
}

interface ForeignKeyRow {
  id: number;
  seq: number;
  table: string;
  from: string;
  to: string | null;
  on_update: string;
  on_delete: string;
}

function readForeignKeys(db: Database.Database, table: string): SourceForeignKey[] {
  const rows = db.prepare<[], ForeignKeyRow>(`PRAGMA foreign_key_list(${sqlString(table)})`).all();
  const byId = new Map<number, SourceForeignKey>();
  for (const r of rows.sort((a, b) => a.id - b.id || a.seq - b.seq)) {
    let fk = byId.get(r.id);
    if (!fk) {
      fk = {
        id: r.id,
        parentTable: r.table,
        fromColumns: [],
        toColumns: [],
        onUpdate: r.on_update,
        onDelete: r.on_delete,
        deferred: false,
      };
      byId.set(r.id, fk);
    }
    fk.fromColumns.push(r.from);
    if (r.to !== null) fk.toColumns.push(r.to);
  }
  return [...byId.values()].reverse();
}

/**
 * Foreign keys come from PRAGMA foreign_key_list in declaration order; the n-th REFERENCES clause of
 * the CREATE TABLE text is the n-th key, and says whether it is DEFERRABLE INITIALLY DEFERRED.
 */
function markDeferred(fks: SourceForeignKey[], tokens: Token[]): SourceForeignKey[] {
  let n = 0;
  for (let i = 0; i < tokens.length; i++) {
    if (!isWord(tokens[i], 'REFERENCES')) continue;
    const fk = fks[n++];
    let depth = 0;
    for (let j = i + 1; j < tokens.length; j++) {
      const t = tokens[j];
      if (t?.text === '(') depth++;
      if (t?.text === ')' && --depth < 0) break;
      if (depth === 0 && (t?.text === ',' || isWord(t, 'REFERENCES'))) break;
      if (
        fk &&
        isWord(t, 'INITIALLY') &&
        isWord(tokens[j + 1], 'DEFERRED') &&
        !isWord(tokens[j - 2], 'NOT')
      ) {
        fk.deferred = true;
      }
    }
  }
  return fks;
}

/**
 * The COLLATE of each column definition, by lower-cased column name (PRAGMAs do not expose it):
 * the CREATE TABLE's top-level items that start with a name, each searched for `COLLATE name`.
 */
function columnCollations(sql: string): Map<string, string> {
  const out = new Map<string, string>();
  const tokens = tokenize(sql).filter((t) => t.kind !== 'space');
  const open = tokens.findIndex((t) => t.text === '(');
  const close = open < 0 ? -1 : closingParen(tokens, open);
  if (close < 0) return out;
  for (const item of splitTopLevel(tokens.slice(open + 1, close))) {
    const first = item[0];
    if (!first || isWord(first, 'CONSTRAINT', 'PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN')) continue;
    let depth = 0;
    for (let i = 1; i < item.length; i++) {
      const t = item[i];
      if (t?.text === '(') depth++;
      if (t?.text === ')') depth--;
      const next = item[i + 1];
      if (depth === 0 && isWord(t, 'COLLATE') && next)
        out.set(first.value.toLowerCase(), next.value.toUpperCase());
    }
  }
  return out;
}

/** CHECK bodies from the CREATE TABLE text (PRAGMAs do not expose them). */
export function extractChecks(tokens: Token[]): string[] {
  const checks: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (!isWord(tokens[i], 'CHECK') || tokens[i + 1]?.text !== '(') continue;
    const end = closingParen(tokens, i + 1);
    if (end < 0) break;
    checks.push(
      tokens
        .slice(i + 2, end)
        .map((t) => t.text)
        .join(' '),
    );
    i = end;
  }
  return checks;
}

export function sqlString(value: string): string {
  return "'" + value.replaceAll("'", "''") + "'";
}

/** Quotes an identifier for SQLite. */
export function sqliteIdent(name: string): string {
  return '"' + name.replaceAll('"', '""') + '"';
}
