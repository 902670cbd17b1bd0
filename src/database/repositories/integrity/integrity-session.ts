import type pg from 'pg';
import type { MigrationReport } from '../../../data-migration/model/report';
import { quoteIdent } from '../../../data-migration/schema/sql-tokens';
import { closeSession } from '../../../data-migration/target/sessions';
import { CopyDigest, combineOrdered, copyOut } from '../../../data-migration/verify/copy-digest';
import { LockId } from '../../advisory-lock';

/** The newest `migrate` run recorded in data_migration_runs, with its report. */
export interface RecordedMigration {
  runId: number;
  finishedAt: string | null;
  status: string;
  report: MigrationReport;
}

export interface ForeignKeyState {
  name: string;
  table: string;
  parent: string;
  columns: string[];
  /** False for a constraint added NOT VALID: PostgreSQL never checked the rows that were there. */
  validated: boolean;
  orphans: number;
  /** The first orphan's key values, as text. */
  example: (string | null)[] | null;
}

export interface SequenceCheck {
  table: string;
  column: string;
  sequence: string;
  max: string | null;
  /** What the next insert would get. */
  nextValue: string;
}

/** A table's rows now, digested as the migrate tool digested them on the target. */
export interface TableNow {
  exists: boolean;
  rows: number;
  /** The ordered digest (key order, per recorded chunk) and the summed one; the tool used one of them. */
  orderedChecksum: string | null;
  summedChecksum: string;
}

interface ForeignKeyRow {
  name: string;
  child: string;
  parent: string;
  child_columns: string[];
  parent_columns: string[];
  validated: boolean;
}

/**
 * The one session of an integrity check: read-only, printing values as the migrate tool's readback
 * session does (so digests compare), holding the IntegrityCheck lock for as long as the check runs.
 * Every query reads one table at a time.
 */
export class IntegritySession {
  constructor(private readonly client: pg.Client) {}

  /** Takes the check's lock; false when another check (on any replica) holds it. */
  async lock(): Promise<boolean> {
    const { rows } = await this.client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1) AS locked',
      [LockId.IntegrityCheck],
    );
    return rows[0]?.locked === true;
  }

  async close(): Promise<void> {
    await closeSession(this.client);
  }

  /** The last `migrate` that finished (succeeded or with rejected rows), or null. */
  async lastMigration(): Promise<RecordedMigration | null> {
    const { rows: exists } = await this.client.query<{ found: boolean }>(
      `SELECT to_regclass('data_migration_runs') IS NOT NULL AS found`,
    );
    if (!exists[0]?.found) return null;
    const { rows } = await this.client.query<{
      id: string;
      finished_at: string | null;
      status: string;
      report: MigrationReport;
    }>(
      `SELECT id, finished_at::text, status, report FROM data_migration_runs
        WHERE report->>'command' = 'migrate' AND status IN ('succeeded', 'rejected')
        ORDER BY id DESC LIMIT 1`,
    );
    const row = rows[0];
    return row
      ? { runId: Number(row.id), finishedAt: row.finished_at, status: row.status, report: row.report }
      : null;
  }

  /** Every foreign key of the public schema, NOT VALID ones included, with the rows that break it. */
  async foreignKeys(): Promise<ForeignKeyState[]> {
    const { rows } = await this.client.query<ForeignKeyRow>(
      `SELECT con.conname AS name, c.relname AS child, p.relname AS parent, con.convalidated AS validated,
              ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
                      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i) AS child_columns,
              ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, i)
                      JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.i) AS parent_columns
         FROM pg_constraint con
         JOIN pg_class c ON c.oid = con.conrelid
         JOIN pg_class p ON p.oid = con.confrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE con.contype = 'f' AND n.nspname = 'public'
        ORDER BY c.relname, con.conname`,
    );
    const states: ForeignKeyState[] = [];
    for (const fk of rows) states.push(await this.foreignKeyState(fk));
    return states;
  }

  private async foreignKeyState(fk: ForeignKeyRow): Promise<ForeignKeyState> {
    // MATCH SIMPLE: a row with a NULL in any of the key's columns references nothing.
    const present = fk.child_columns.map((c) => `c.${quoteIdent(c)} IS NOT NULL`).join(' AND ');
    const joins = fk.child_columns
      .map((c, i) => `p.${quoteIdent(fk.parent_columns[i] ?? '')} = c.${quoteIdent(c)}`)
      .join(' AND ');
    const orphans = `FROM ${quoteIdent(fk.child)} c WHERE ${present}
      AND NOT EXISTS (SELECT 1 FROM ${quoteIdent(fk.parent)} p WHERE ${joins})`;
    const keyText = fk.child_columns.map((c) => `c.${quoteIdent(c)}::text`).join(', ');
    const { rows } = await this.client.query<(string | null)[]>({
      text: `SELECT count(*) OVER (), ${keyText} ${orphans} LIMIT 1`,
      rowMode: 'array',
    });
    const first = rows[0];
    return {
      name: fk.name,
      table: fk.child,
      parent: fk.parent,
      columns: fk.child_columns,
      validated: fk.validated,
      orphans: first ? Number(first[0]) : 0,
      example: first ? first.slice(1) : null,
    };
  }

  /** Every identity or serial column of the public schema with its column's max and the next value. */
  async sequences(): Promise<SequenceCheck[]> {
    const { rows } = await this.client.query<{ table: string; column: string; sequence: string }>(
      `SELECT c.relname AS table, a.attname AS column,
              pg_get_serial_sequence(format('%I', c.relname), a.attname) AS sequence
         FROM pg_attribute a
         JOIN pg_class c ON c.oid = a.attrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
          AND pg_get_serial_sequence(format('%I', c.relname), a.attname) IS NOT NULL
        ORDER BY c.relname, a.attnum`,
    );
    const checks: SequenceCheck[] = [];
    for (const r of rows) {
      const { rows: state } = await this.client.query<{ max: string | null; next: string }>(
        `SELECT (SELECT max(${quoteIdent(r.column)})::text FROM ${quoteIdent(r.table)}) AS max,
                (CASE WHEN s.is_called THEN s.last_value + q.seqincrement ELSE s.last_value END)::text AS next
           FROM ${r.sequence} s, pg_sequence q WHERE q.seqrelid = $1::regclass`,
        [r.sequence],
      );
      checks.push({ ...r, max: state[0]?.max ?? null, nextValue: state[0]?.next ?? '' });
    }
    return checks;
  }

  /** Which of `names` (tables, views, indexes, constraints of the public schema) exist. */
  async existingObjects(names: string[]): Promise<Set<string>> {
    const { rows } = await this.client.query<{ name: string }>(
      `SELECT c.relname::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relname = ANY($1)
       UNION
       SELECT con.conname::text FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
        WHERE n.nspname = 'public' AND con.conname = ANY($1)`,
      [names],
    );
    return new Set(rows.map((r) => r.name));
  }

  /**
   * A table's row count and digests now, over its COPY text as the tool's verification reads the
   * target: every column in order; for a table with a single integer key, in key order per rowid
   * range the recorded run loaded (data_migration_state.chunks).
   */
  async tableNow(table: string, runId: number): Promise<TableNow> {
    const { rows: found } = await this.client.query<{ found: boolean }>(
      `SELECT to_regclass(format('public.%I', $1::text)) IS NOT NULL AS found`,
      [table],
    );
    if (!found[0]?.found) return { exists: false, rows: 0, orderedChecksum: null, summedChecksum: '0' };
    const { rows: columns } = await this.client.query<{ name: string; key: boolean }>(
      `SELECT a.attname::text AS name,
              EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisprimary
                        AND i.indnkeyatts = 1 AND i.indkey[0] = a.attnum
                        AND a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype)) AS key
         FROM pg_attribute a WHERE a.attrelid = format('public.%I', $1::text)::regclass AND a.attnum > 0
          AND NOT a.attisdropped ORDER BY a.attnum`,
      [table],
    );
    const select = `SELECT ${columns.map((c) => quoteIdent(c.name)).join(', ')} FROM ${quoteIdent(table)}`;
    const key = columns.find((c) => c.key)?.name;
    const summed = new CopyDigest(false);
    if (key === undefined) {
      await copyOut(this.client, select, (piece) => summed.add(piece));
      const result = summed.result();
      return { exists: true, rows: result.rows, orderedChecksum: null, summedChecksum: result.checksum };
    }
    const parts: string[] = [];
    let rows = 0;
    for (const chunk of await this.chunks(table, runId)) {
      const where = [
        chunk.lo === null ? '' : `${quoteIdent(key)} >= ${chunk.lo}`,
        chunk.hi === null ? '' : `${quoteIdent(key)} <= ${chunk.hi}`,
      ].filter(Boolean);
      const ordered = new CopyDigest(true);
      const sql = `${select}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${quoteIdent(key)}`;
      await copyOut(this.client, sql, (piece) => {
        ordered.add(piece);
        summed.add(piece);
      });
      const result = ordered.result();
      rows += result.rows;
      parts.push(`${chunk.index}:${result.checksum}`);
    }
    const orderedChecksum = parts.length === 1 ? (parts[0]?.split(':')[1] ?? '') : combineOrdered(parts);
    return { exists: true, rows, orderedChecksum, summedChecksum: summed.result().checksum };
  }

  /**
   * The rowid ranges the run loaded `table` in (the first open below, the last open above, as the
   * tool plans them); one open range when it recorded none.
   */
  private async chunks(
    table: string,
    runId: number,
  ): Promise<{ index: number; lo: string | null; hi: string | null }[]> {
    const whole = [{ index: 0, lo: null, hi: null }];
    const { rows: exists } = await this.client.query<{ found: boolean }>(
      `SELECT to_regclass('data_migration_state.chunks') IS NOT NULL AS found`,
    );
    if (!exists[0]?.found) return whole;
    const { rows } = await this.client.query<{ index: number; lo: string | null; hi: string | null }>(
      `SELECT chunk AS index, first_rowid::text AS lo, last_rowid::text AS hi FROM data_migration_state.chunks
        WHERE run_id = $1 AND table_name = $2 ORDER BY chunk`,
      [runId, table],
    );
    return rows.length > 0 ? rows : whole;
  }
}
