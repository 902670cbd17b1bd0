import type {
  ForeignKeyState,
  RecordedMigration,
  SequenceCheck,
  TableNow,
} from '../database/repositories/integrity/integrity-session';
import type { VerifyOutcome } from './verify-child';

/** A table now against what the last migration recorded: changed is not broken. */
export interface TableComparison {
  table: string;
  state: 'unchanged' | 'changed' | 'missing' | 'not recorded';
  recordedRows: number | null;
  rows: number;
}

export interface IntegrityResult {
  ok: boolean;
  /** Each thing that is broken, naming the table, the row or object, and the fix. */
  problems: string[];
  /** Tables whose rows differ from what the migration recorded (written to since, or damaged). */
  changed: string[];
  migration: { runId: number; finishedAt: string | null; status: string } | null;
  foreignKeys: { checked: number; notValid: number };
  sequences: { checked: number };
  tables: TableComparison[];
  verify?: VerifyOutcome;
}

export interface Findings {
  migration: RecordedMigration | null;
  foreignKeys: ForeignKeyState[];
  sequences: SequenceCheck[];
  tables: { table: string; now: TableNow }[];
  /** Names of the objects the migration created (and its tables) that no longer exist. */
  missingObjects: { name: string; kind: string; table: string }[];
  verify?: VerifyOutcome;
}

export function compareTable(migration: RecordedMigration, table: string, now: TableNow): TableComparison {
  const recorded = migration.report.tables.find((t) => t.table === table)?.verification;
  if (!now.exists) return { table, state: 'missing', recordedRows: recorded?.targetRows ?? null, rows: 0 };
  if (!recorded) return { table, state: 'not recorded', recordedRows: null, rows: now.rows };
  const same =
    recorded.targetRows === now.rows &&
    (recorded.targetChecksum === now.orderedChecksum || recorded.targetChecksum === now.summedChecksum);
  return { table, state: same ? 'unchanged' : 'changed', recordedRows: recorded.targetRows, rows: now.rows };
}

export function evaluate(findings: Findings): IntegrityResult {
  const problems: string[] = [];
  for (const fk of findings.foreignKeys.filter((f) => f.orphans > 0)) {
    problems.push(
      `foreign key ${fk.name} on ${fk.table}${fk.validated ? '' : ' (NOT VALID)'}: ${fk.orphans} row(s) reference no row of ${fk.parent} ` +
        `(e.g. ${fk.columns.join(', ')} = ${(fk.example ?? []).join(', ')}); repair or delete them` +
        (fk.validated ? '' : `, then ALTER TABLE ... VALIDATE CONSTRAINT ${fk.name}`),
    );
  }
  for (const s of findings.sequences) {
    if (s.max !== null && BigInt(s.nextValue) <= BigInt(s.max)) {
      problems.push(
        `sequence ${s.sequence} of ${s.table}.${s.column} would hand out ${s.nextValue}, not above max(${s.column}) = ${s.max}: ` +
          `the next insert fails; fix: SELECT setval('${s.sequence}', ${s.max})`,
      );
    }
  }
  for (const o of findings.missingObjects) {
    problems.push(
      `${o.kind} ${o.name} on ${o.table}, created by migrate run ${findings.migration?.runId ?? '?'}, no longer exists: recreate it (its SQL is in that run's report, data_migration_runs.report->'created')`,
    );
  }
  if (findings.verify && !findings.verify.ok) {
    problems.push(...findings.verify.problems.map((p) => `verify against ${findings.verify?.source}: ${p}`));
  }
  const tables = findings.migration
    ? findings.tables.map((t) => compareTable(findings.migration as RecordedMigration, t.table, t.now))
    : [];
  for (const t of tables.filter((c) => c.state === 'missing')) {
    problems.push(
      `table ${t.table}, loaded by migrate run ${findings.migration?.runId ?? '?'}, no longer exists`,
    );
  }
  return {
    ok: problems.length === 0,
    problems,
    changed: tables.filter((t) => t.state === 'changed').map((t) => t.table),
    migration: findings.migration && {
      runId: findings.migration.runId,
      finishedAt: findings.migration.finishedAt,
      status: findings.migration.status,
    },
    foreignKeys: {
      checked: findings.foreignKeys.length,
      notValid: findings.foreignKeys.filter((f) => !f.validated).length,
    },
    sequences: { checked: findings.sequences.length },
    tables,
    ...(findings.verify ? { verify: findings.verify } : {}),
  };
}
