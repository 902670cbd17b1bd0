import type Database from 'better-sqlite3';
import type { PlannedColumn, PlannedTable, NotCarried, MigrationPlan, Renamed } from '../model/plan';
import { makeConverter } from '../convert/value-converter';
import { targetCollation } from '../schema/collation';
import { constraintName } from '../schema/ddl';
import { translateDefault } from '../schema/default-translation';
import { mapDeclaredType, needsNumericProbe, parsePgType } from '../schema/target-type';
import type { SourceColumn, SourceSchema, SourceTable, TargetTable } from '../model/catalog';
import type { TargetType } from '../model/target-type';
import { sqliteIdent } from '../source/sqlite-schema';

export interface PlanOptions {
  sourceZone?: string;
  skipTables: string[];
  /** Names over PostgreSQL's 63 bytes: a problem (default), or shortened to a prefix and a hash. */
  longNames?: 'stop' | 'shorten';
}

const MAX_IDENTIFIER_BYTES = 63;

export function buildPlan(
  db: Database.Database,
  schema: SourceSchema,
  target: Map<string, TargetTable>,
  options: PlanOptions,
): MigrationPlan {
  const notCarried: NotCarried[] = [];
  const problems: string[] = [];
  const renamed: Renamed[] = [];
  const tables: PlannedTable[] = [];
  const targetByLower = new Map<string, TargetTable>();
  for (const t of target.values()) targetByLower.set(t.name.toLowerCase(), t);

  for (const source of schema.tables) {
    if (options.skipTables.some((s) => s.toLowerCase() === source.name.toLowerCase())) {
      notCarried.push({
        object: source.name,
        kind: 'table',
        reason: 'skipped (--skip-table or bookkeeping table)',
      });
      continue;
    }
    const existing = target.get(source.name) ?? uniqueCaseInsensitive(targetByLower, source.name);
    const name = existing
      ? existing.name
      : targetName(source.name, options, `table "${source.name}"`, problems);
    if (name === undefined) continue;
    if (name !== source.name) renamed.push({ table: source.name, column: null, to: name });
    for (const c of source.columns.filter((col) => col.generated)) {
      notCarried.push({
        object: `${source.name}.${c.name}`,
        kind: 'generated column',
        reason: 'generated columns are computed by SQLite; not copied',
      });
    }
    const columns = source.columns.filter((c) => !c.generated);
    tables.push(
      existing
        ? planExisting(source, columns, existing, options, problems)
        : planCreated(db, source, name, columns, options, { problems, notCarried, renamed }),
    );
  }
  for (const name of schema.virtualTables) {
    notCarried.push({
      object: name,
      kind: 'virtual table',
      reason: 'SQLite virtual tables (FTS, R*Tree) and their shadow tables are not migrated',
    });
  }
  return { tables, notCarried, problems, ...(renamed.length > 0 ? { renamed } : {}) };
}

function uniqueCaseInsensitive(byLower: Map<string, TargetTable>, name: string): TargetTable | undefined {
  return byLower.get(name.toLowerCase());
}

function planExisting(
  source: SourceTable,
  columns: SourceColumn[],
  target: TargetTable,
  options: PlanOptions,
  problems: string[],
): PlannedTable {
  const planned: PlannedColumn[] = [];
  for (const c of columns) {
    const t =
      target.columns.find((tc) => tc.name === c.name) ??
      target.columns.find((tc) => tc.name.toLowerCase() === c.name.toLowerCase());
    if (!t) {
      problems.push(
        `table "${source.name}": column "${c.name}" has no column in the existing target table "${target.name}"`,
      );
      continue;
    }
    if (t.generated) {
      problems.push(`table "${source.name}": target column "${t.name}" is generated and cannot be loaded`);
      continue;
    }
    const type = parsePgType(t.type);
    planned.push({
      source: c,
      name: t.name,
      type,
      notNull: t.notNull,
      defaultSql: null,
      identity: t.identity !== '',
      converter: makeConverter(type, { notNull: t.notNull, sourceZone: options.sourceZone }),
    });
  }
  for (const t of target.columns) {
    if (
      !planned.some((p) => p.name === t.name) &&
      t.notNull &&
      !t.hasDefault &&
      t.identity === '' &&
      !t.generated
    ) {
      problems.push(
        `table "${target.name}": target column "${t.name}" is NOT NULL without a default and has no source column`,
      );
    }
  }
  return { source, name: target.name, exists: true, columns: planned, parents: target.parents };
}

function planCreated(
  db: Database.Database,
  source: SourceTable,
  name: string,
  columns: SourceColumn[],
  options: PlanOptions,
  out: { problems: string[]; notCarried: NotCarried[]; renamed: Renamed[] },
): PlannedTable {
  const { problems, notCarried } = out;
  const planned = columns.map((c): PlannedColumn => {
    const columnName =
      targetName(c.name, options, `table "${source.name}": column "${c.name}"`, problems) ?? c.name;
    if (columnName !== c.name) out.renamed.push({ table: source.name, column: c.name, to: columnName });
    const identity = source.rowidAlias === c.name;
    let type = identity
      ? mapDeclaredType('BIGINT')
      : mapDeclaredType(
          c.declaredType,
          needsNumericProbe(c.declaredType) && isNumericOnly(db, source.name, c.name),
        );
    // A column without a declared type holding blobs keeps its bytes rather than failing as text.
    if (c.declaredType.trim() === '' && holdsBlobs(db, source.name, c.name)) {
      type = mapDeclaredType('BLOB');
      notCarried.push({
        object: `${source.name}.${c.name}`,
        kind: 'type',
        reason:
          'column has no declared type and holds blobs: created as bytea (text and numbers in it are rejected)',
      });
    }
    const notNull = c.notNull || c.pkPosition > 0;
    const converter = makeConverter(type, { notNull, sourceZone: options.sourceZone });
    let defaultSql: string | null = null;
    if (!identity) {
      const literalConverter = makeConverter(type, { notNull: false, sourceZone: options.sourceZone });
      const d = translateDefault(c.defaultSql, type, (v) => literalConverter.convert(v, true));
      if ('sql' in d) defaultSql = d.sql;
      else notCarried.push({ object: `${source.name}.${c.name}`, kind: 'default', reason: d.untranslatable });
    }
    const collation = columnCollation(source.name, c, type, notCarried);
    return { source: c, name: columnName, type, notNull, defaultSql, identity, converter, ...collation };
  });
  return { source, name, exists: false, columns: planned, parents: [] };
}

/**
 * NOCASE on a text column is carried as the `nocase` collation (case-insensitive, see
 * schema/ddl NOCASE_COLLATION); RTRIM and custom collations are listed, the column compares exactly.
 */
function columnCollation(
  table: string,
  c: SourceColumn,
  type: TargetType,
  notCarried: NotCarried[],
): { collation?: string } {
  const collation = targetCollation(c, type);
  if (collation) return { collation };
  if (
    !c.collation ||
    c.collation === 'BINARY' ||
    c.collation === 'NOCASE' ||
    !['text', 'varchar', 'char'].includes(type.kind)
  )
    return {};
  notCarried.push({
    object: `${table}.${c.name}`,
    kind: 'collation',
    reason: `COLLATE ${c.collation} has no PostgreSQL equivalent: the column compares exactly (binary)`,
  });
  return {};
}

/**
 * The target name of a created table or column: its own, or over 63 bytes (PostgreSQL would cut
 * it, and two cut names can collide) a problem — or with `--long-names shorten` a 54-byte prefix
 * and a hash of the whole name, the same on every run (listed under `renamed`).
 */
function targetName(
  name: string,
  options: PlanOptions,
  what: string,
  problems: string[],
): string | undefined {
  if (Buffer.byteLength(name) <= MAX_IDENTIFIER_BYTES) return name;
  if (options.longNames === 'shorten') return constraintName(name);
  problems.push(
    `${what}: name longer than PostgreSQL's 63-byte identifier limit (--long-names shorten gives it a prefix and a hash)`,
  );
  return undefined;
}

function isNumericOnly(db: Database.Database, table: string, column: string): boolean {
  const row = db
    .prepare(
      `SELECT EXISTS (SELECT 1 FROM ${sqliteIdent(table)} WHERE typeof(${sqliteIdent(column)}) NOT IN ('integer', 'real', 'null')) AS other`,
    )
    .get() as { other: number };
  return row.other === 0;
}

function holdsBlobs(db: Database.Database, table: string, column: string): boolean {
  const row = db
    .prepare(
      `SELECT EXISTS (SELECT 1 FROM ${sqliteIdent(table)} WHERE typeof(${sqliteIdent(column)}) = 'blob') AS blobs`,
    )
    .get() as { blobs: number };
  return row.blobs === 1;
}
