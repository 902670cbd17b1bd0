import type { SourceSnapshot } from '../model/report';
import { jsonbSafe, sqlLiteral, STATE_SCHEMA, STATE_TABLES_SQL } from './run-state';

/**
 * What an exported script records of itself on the database it is loaded into, as a direct migrate
 * does: its row in `data_migration_runs` (running, then finished with the report), its tables as
 * created by that run and a chunk row per table with the counts, which `/health` and `migrate verify`
 * read. The run is named by the value its own INSERT took from the id sequence (same session).
 */
export const EXPORTED_RUN_ID = `currval(pg_get_serial_sequence('data_migration_runs', 'id'))`;

/**
 * The script's rejected rows, staged for the session (COPY data cannot name the run) and stored
 * under the run at the end, as a direct migrate stores them: `migrate verify` leaves them out.
 */
const STAGED_REJECTS = 'pgmove_export_rejects';
export const STAGED_REJECTS_COPY = `COPY ${STAGED_REJECTS} (table_name, chunk, rowid, record) FROM stdin`;

export function exportedRunStart(
  source: string,
  sha256: string,
  snapshot: SourceSnapshot | undefined,
): string[] {
  return [
    STATE_TABLES_SQL,
    `CREATE TEMP TABLE ${STAGED_REJECTS} (table_name text NOT NULL, chunk int NOT NULL, rowid bigint, record text NOT NULL)`,
    `INSERT INTO data_migration_runs (started_at, source, source_sha256, status, snapshot)
     VALUES (now(), ${sqlLiteral(source)}, ${sqlLiteral(sha256)}, 'running', ${snapshot ? `${sqlLiteral(jsonbSafe(snapshot))}::jsonb` : 'NULL'})`,
  ];
}

export interface ExportedTable {
  name: string;
  sourceName: string;
  written: number;
  rejected: number;
}

/**
 * The closing statements: tables and chunk rows, then the run finished. Rows that left their table
 * during the load (children of rejected rows, moved to the rejects by the script) count as rejected.
 */
export function exportedRunFinish(tables: ExportedTable[], report: unknown): string[] {
  const run = EXPORTED_RUN_ID;
  const out: string[] = [
    `INSERT INTO ${STATE_SCHEMA}.rejects (run_id, table_name, chunk, rowid, record)
     SELECT ${run}, table_name, chunk, rowid, record FROM ${STAGED_REJECTS}`,
  ];
  if (tables.length > 0) {
    out.push(
      `INSERT INTO ${STATE_SCHEMA}.tables (run_id, table_name, created, status) VALUES\n  ${tables
        .map((t) => `(${run}, ${sqlLiteral(t.name)}, true, 'finished')`)
        .join(',\n  ')}`,
      `INSERT INTO ${STATE_SCHEMA}.chunks (run_id, table_name, chunk, rows_written, rows_rejected) VALUES\n  ${tables
        .map((t) => `(${run}, ${sqlLiteral(t.sourceName)}, 0, ${t.written}, ${t.rejected})`)
        .join(',\n  ')}`,
    );
  }
  const written = tables.reduce((n, t) => n + t.written, 0);
  const rejected = tables.reduce((n, t) => n + t.rejected, 0);
  const moved = `(SELECT count(*) FROM ${STATE_SCHEMA}.rejects WHERE run_id = ${run} AND chunk = -1)`;
  out.push(
    `UPDATE data_migration_runs SET finished_at = now(),
       status = CASE WHEN ${rejected} + ${moved} > 0 THEN 'rejected' ELSE 'succeeded' END, verified = NULL,
       tables_count = ${tables.length}, rows_written = ${written} - ${moved}, rows_rejected = ${rejected} + ${moved},
       report = ${sqlLiteral(jsonbSafe(report))}::jsonb
     WHERE id = ${run}`,
  );
  return out;
}
