/**
 * The two catalogs as plain data: what the SQLite source holds (read through PRAGMAs) and what the
 * PostgreSQL target already has. Nothing here reads or writes a database.
 */

export interface SourceColumn {
  name: string;
  declaredType: string;
  notNull: boolean;
  /** Default expression text as SQLite stores it, or null. */
  defaultSql: string | null;
  /** 1-based position in the primary key, 0 when not part of it. */
  pkPosition: number;
  /** Generated (virtual/stored) columns are not copied. */
  generated: boolean;
  /** `COLLATE` of the column definition (upper case: NOCASE, RTRIM, a custom name), if any. */
  collation?: string;
}

export interface SourceIndex {
  name: string;
  unique: boolean;
  origin: 'c' | 'u' | 'pk';
  partial: boolean;
  /** Column names in order; null for an expression member. */
  columns: { name: string | null; desc: boolean; collation: string }[];
  sql: string | null;
}

export interface SourceForeignKey {
  id: number;
  parentTable: string;
  fromColumns: string[];
  /** Empty when the FK names only the parent table (its primary key is meant). */
  toColumns: string[];
  onUpdate: string;
  onDelete: string;
  /** DEFERRABLE INITIALLY DEFERRED in the table's SQL (PRAGMAs do not say). */
  deferred: boolean;
}

export interface SourceTable {
  name: string;
  columns: SourceColumn[];
  /** Name of the INTEGER PRIMARY KEY column that aliases the rowid, if any. */
  rowidAlias: string | null;
  withoutRowid: boolean;
  autoincrement: boolean;
  /** High-water mark from sqlite_sequence, for AUTOINCREMENT tables. */
  sequence: bigint | null;
  indexes: SourceIndex[];
  foreignKeys: SourceForeignKey[];
  /** CHECK constraint bodies as written (SQLite SQL). */
  checks: string[];
  sql: string;
}

export interface SourceView {
  name: string;
  sql: string;
}

export interface SourceSchema {
  tables: SourceTable[];
  views: SourceView[];
  /** The names of the triggers. */
  triggers: string[];
  /** Each trigger's table and SQL (those named in `triggers` are carried or listed). */
  triggerDefinitions?: { name: string; table: string; sql: string }[];
  /** Virtual tables (FTS, R*Tree…) and their shadow tables: not migrated, listed in the report. */
  virtualTables: string[];
}

export interface TargetColumn {
  name: string;
  /** format_type() text, e.g. `numeric(10,2)`. */
  type: string;
  notNull: boolean;
  hasDefault: boolean;
  /** 'a' (ALWAYS), 'd' (BY DEFAULT) or '' */
  identity: string;
  generated: boolean;
  /** Sequence behind an identity or serial column. */
  sequence: string | null;
}

export interface TargetTable {
  name: string;
  columns: TargetColumn[];
  /** Parent tables of this table's foreign keys (other than itself). */
  parents: string[];
}

/** The names of the source table's primary-key columns, in key order. */
export function sourceKeyColumns(table: SourceTable): string[] {
  return table.columns
    .filter((c) => c.pkPosition > 0)
    .sort((a, b) => a.pkPosition - b.pkPosition)
    .map((c) => c.name);
}
