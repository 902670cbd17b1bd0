import type pg from 'pg';
import type { TargetTable } from '../model/catalog';

interface CatalogRow {
  table_name: string;
  column_name: string;
  type: string;
  not_null: boolean;
  has_default: boolean;
  identity: string;
  generated: string;
  sequence: string | null;
}

/** Tables and columns of the target's current schema. */
export async function readTargetTables(client: pg.Client): Promise<Map<string, TargetTable>> {
  const { rows } = await client.query<CatalogRow>(`
    SELECT c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type,
           a.attnotnull AS not_null, a.atthasdef AS has_default, a.attidentity::text AS identity,
           a.attgenerated::text AS generated,
           pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname) AS sequence
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
     ORDER BY c.relname, a.attnum`);
  const tables = new Map<string, TargetTable>();
  for (const r of rows) {
    let t = tables.get(r.table_name);
    if (!t) {
      t = { name: r.table_name, columns: [], parents: [] };
      tables.set(r.table_name, t);
    }
    t.columns.push({
      name: r.column_name,
      type: r.type,
      notNull: r.not_null,
      hasDefault: r.has_default,
      identity: r.identity,
      generated: r.generated !== '',
      sequence: r.sequence,
    });
  }
  const fks = await client.query<{ child: string; parent: string }>(`
    SELECT DISTINCT c.relname AS child, p.relname AS parent
      FROM pg_constraint k
      JOIN pg_class c ON c.oid = k.conrelid
      JOIN pg_class p ON p.oid = k.confrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE k.contype = 'f' AND n.nspname = current_schema() AND c.oid <> p.oid`);
  for (const r of fks.rows) tables.get(r.child)?.parents.push(r.parent);
  return tables;
}

export async function tableHasRows(client: pg.Client, quotedName: string): Promise<boolean> {
  const { rows } = await client.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${quotedName}) AS any`);
  return rows[0]?.any ?? false;
}

/** True when the table has a constraint of that name (an index of that name may stand alone). */
export async function constraintExists(client: pg.Client, table: string, name: string): Promise<boolean> {
  const { rows } = await client.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
                     WHERE n.nspname = current_schema() AND t.relname = $1 AND k.conname = $2) AS found`,
    [table, name],
  );
  return rows[0]?.found ?? false;
}

/** True when the table has a constraint, or the schema an index, of that name. */
export async function objectExists(client: pg.Client, table: string, name: string): Promise<boolean> {
  const { rows } = await client.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
                     WHERE n.nspname = current_schema() AND t.relname = $1 AND k.conname = $2)
         OR EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = current_schema() AND c.relname = $2 AND c.relkind = 'i') AS found`,
    [table, name],
  );
  return rows[0]?.found ?? false;
}

/** The names of the views in the target's current schema. */
export async function viewNames(client: pg.Client): Promise<Set<string>> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT viewname AS name FROM pg_views WHERE schemaname = current_schema()`,
  );
  return new Set(rows.map((r) => r.name));
}
