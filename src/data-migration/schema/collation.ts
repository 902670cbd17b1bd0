import type { SourceColumn } from '../model/catalog';
import type { TargetType } from '../model/target-type';
import { UntranslatableSqlError } from './sqlite-functions';
import { quoteIdent } from './sql-tokens';

/**
 * SQLite's NOCASE as a PostgreSQL collation of the same name: ICU's root locale at secondary
 * strength ignores case, and a nondeterministic collation lets `=`, unique indexes and GROUP BY
 * use it. Unlike NOCASE (ASCII letters only) it also folds the case of other letters.
 */
export const NOCASE_COLLATION = 'nocase';

export const NOCASE_COLLATION_SQL = `CREATE COLLATION IF NOT EXISTS ${quoteIdent(NOCASE_COLLATION)} (provider = icu, locale = 'und-u-ks-level2', deterministic = false)`;

/** SQLite's collation names in SQL text: NOCASE is the target's `nocase`, BINARY is "C". */
export function collationName(name: string): string {
  const upper = name.toUpperCase();
  if (upper === 'NOCASE') return quoteIdent(NOCASE_COLLATION);
  if (upper === 'BINARY') return '"C"';
  throw new UntranslatableSqlError(`COLLATE ${name} has no PostgreSQL equivalent`);
}

/** The collation a column of `type` gets on the target: `nocase` for a NOCASE text column. */
export function targetCollation(column: SourceColumn, type: TargetType): string | undefined {
  return column.collation === 'NOCASE' && ['text', 'varchar', 'char'].includes(type.kind)
    ? NOCASE_COLLATION
    : undefined;
}
