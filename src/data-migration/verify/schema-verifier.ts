import type pg from 'pg';
import type { PlannedTable, DdlStatement } from '../model/plan';
import { targetCollation } from '../schema/collation';
import { quoteIdent } from '../schema/sql-tokens';
import { readTargetTables } from '../target/pg-catalog';

/**
 * Schema parity: every planned table and column is on the target with its NOT NULL, and every key,
 * index, CHECK, foreign key and view the migration created is present.
 */
export async function verifySchema(
  client: pg.Client,
  tables: PlannedTable[],
  created: DdlStatement[],
): Promise<string[]> {
  const problems: string[] = [];
  const catalog = await readTargetTables(client);
  const collations = await columnCollations(client);
  for (const t of tables) {
    const target = catalog.get(t.name);
    if (!target) {
      problems.push(`table "${t.name}" is missing on the target`);
      continue;
    }
    for (const c of t.columns) {
      const col = target.columns.find((x) => x.name === c.name);
      if (!col) problems.push(`column "${t.name}"."${c.name}" is missing on the target`);
      else if (!t.exists && col.notNull !== c.notNull)
        problems.push(`column "${t.name}"."${c.name}": NOT NULL differs`);
      else if (!t.exists && col.type !== c.type.sql && !sameType(col.type, c.type.sql)) {
        problems.push(`column "${t.name}"."${c.name}": type ${col.type}, expected ${c.type.sql}`);
      } else if (
        !t.exists &&
        collations.get(`${t.name}\u0000${c.name}`) !== targetCollation(c.source, c.type)
      ) {
        problems.push(
          `column "${t.name}"."${c.name}": collation ${collations.get(`${t.name}\u0000${c.name}`) ?? 'default'}, expected ${targetCollation(c.source, c.type) ?? 'default'}`,
        );
      }
    }
  }
  const { rows } = await client.query<{ name: string; kind: string; owner: string }>(`
    SELECT c.relname AS name, CASE c.relkind WHEN 'v' THEN 'view' ELSE 'index' END AS kind, coalesce(t.relname, c.relname) AS owner
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_index i ON i.indexrelid = c.oid LEFT JOIN pg_class t ON t.oid = i.indrelid
     WHERE n.nspname = current_schema() AND c.relkind IN ('i', 'v')
    UNION ALL
    SELECT k.conname, 'constraint', t.relname FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = current_schema()
    UNION ALL
    SELECT x.name, 'trigger', t.relname FROM pg_trigger g JOIN pg_class t ON t.oid = g.tgrelid
      JOIN pg_proc p ON p.oid = g.tgfoid
      CROSS JOIN LATERAL (VALUES (g.tgname), (p.proname)) AS x(name)
     WHERE t.relnamespace = current_schema()::regnamespace AND NOT g.tgisinternal`);
  const present = new Set(rows.map((r) => `${r.kind}\u0000${r.owner}\u0000${r.name}`));
  for (const s of created) {
    const kind =
      s.kind === 'view' || s.kind === 'trigger'
        ? s.kind
        : s.kind === 'index' || s.kind === 'unique'
          ? 'index'
          : 'constraint';
    if (!present.has(`${kind}\u0000${s.table}\u0000${s.name}`))
      problems.push(`${s.kind} "${s.name}" on "${s.table}" is missing`);
    else if (s.kind === 'foreign key') problems.push(...(await foreignKeyProblems(client, s)));
  }
  return problems;
}

/**
 * A validated foreign key holds for every row (PostgreSQL checked them). One left NOT VALID must be
 * a key created over kept orphans, and the rows breaking it exactly as many as the source's orphans.
 */
async function foreignKeyProblems(client: pg.Client, s: DdlStatement): Promise<string[]> {
  const { rows } = await client.query<{ validated: boolean }>(
    `SELECT k.convalidated AS validated FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid
      WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = $1 AND k.conname = $2`,
    [s.table, s.name],
  );
  if (rows[0]?.validated !== false) return [];
  const fk = s.foreignKey;
  if (!s.notValid || !fk)
    return [`foreign key "${s.name}" on "${s.table}" is NOT VALID: its rows were never checked`];
  const q = quoteIdent;
  const { rows: broken } = await client.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${q(s.table)} c WHERE ${fk.from.map((f) => `c.${q(f)} IS NOT NULL`).join(' AND ')}
       AND NOT EXISTS (SELECT 1 FROM ${q(fk.parent)} p WHERE ${fk.from.map((f, i) => `p.${q(fk.to[i] ?? '')} = c.${q(f)}`).join(' AND ')})`,
  );
  const n = Number(broken[0]?.n ?? 0);
  return n === s.notValid.orphans
    ? []
    : [
        `foreign key "${s.name}" on "${s.table}" (NOT VALID): ${n} row(s) point at no parent, the source has ${s.notValid.orphans} orphan(s)`,
      ];
}

/** Each column's collation other than the default, by `table\0column`. */
async function columnCollations(client: pg.Client): Promise<Map<string, string>> {
  const { rows } = await client.query<{ table: string; column: string; collation: string }>(
    `SELECT c.relname AS table, a.attname AS column, k.collname AS collation
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_collation k ON k.oid = a.attcollation
      WHERE c.relnamespace = current_schema()::regnamespace AND a.attnum > 0 AND k.collname <> 'default'`,
  );
  return new Map(rows.map((r) => [`${r.table}\u0000${r.column}`, r.collation]));
}

const ALIASES: Record<string, string> = {
  timestamptz: 'timestamp with time zone',
  time: 'time without time zone',
  'double precision': 'double precision',
};

function sameType(actual: string, planned: string): boolean {
  const p = planned.replace(/^varchar/, 'character varying').replace(/^char\(/, 'character(');
  return actual === (ALIASES[p] ?? p);
}
