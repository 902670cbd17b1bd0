import type pg from 'pg';
import type { DdlStatement, NotCarried, PlannedTable } from '../model/plan';
import { primaryKeyByIndex } from '../schema/ddl';
import { constraintExists } from '../target/pg-catalog';
import { closeSession, openSession, useBuildWorkers } from '../target/sessions';
import { runDdl } from './constraints';
import type { RunContext } from './run-context';

// Below this many rows a table's builds take a few milliseconds each: not worth more sessions.
export const SIDE_BY_SIDE_ROWS = 100_000;

const BUILDS: ReadonlySet<DdlStatement['kind']> = new Set(['primary key', 'unique', 'index']);

/**
 * A created table's keys, indexes and CHECKs after its load, in `statements` order. A big table's
 * index builds run side by side, up to one session per job plus one (each build alternates between
 * reading the table and writing its index, so one more than the cores keeps them busy): CREATE INDEX
 * locks the table in SHARE mode, which does not stop the others. Each such build runs without
 * PostgreSQL's parallel workers, which would only compete with the other builds. The primary key is
 * built as its unique index and attached after them, CHECKs added last (both lock the table whole).
 */
export async function buildTableIndexes(
  ctx: RunContext,
  client: pg.Client,
  t: PlannedTable,
  statements: DdlStatement[],
  notCarried: NotCarried[],
  rows: number,
): Promise<void> {
  const builds = statements.filter((s) => BUILDS.has(s.kind));
  const sessions = Math.min(builds.length, ctx.options.jobs + 1);
  if (rows < SIDE_BY_SIDE_ROWS || ctx.options.jobs < 2 || sessions < 2) {
    for (const s of statements) await runDdl(ctx, client, s, notCarried, t);
    return;
  }
  const pk = builds.find((s) => s.kind === 'primary key');
  const queue = builds.map((s) => (s === pk ? { ...s, sql: primaryKeyByIndex(t, s).build } : s));
  const built: DdlStatement[] = [];
  const extra: pg.Client[] = [];
  const worker = async (session: pg.Client): Promise<void> => {
    await useBuildWorkers(session, false);
    for (let s = queue.shift(); s; s = queue.shift()) {
      if (await runDdl(ctx, session, s, notCarried, t, { record: false })) built.push(s);
    }
  };
  try {
    for (let i = 1; i < sessions; i++) extra.push(await openSession(ctx.options.target, 'load'));
    const results = await Promise.allSettled([client, ...extra].map(worker));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    await Promise.all(extra.map((c) => closeSession(c)));
    await useBuildWorkers(client, true);
  }
  // Recorded in the plan's order, whatever order the builds finished in.
  const done = new Set(built.map((s) => s.name));
  ctx.report.created.push(...builds.filter((s) => done.has(s.name)));
  if (pk && done.has(pk.name)) {
    const attach = { ...pk, sql: primaryKeyByIndex(t, pk).attach };
    const exists = (c: pg.Client): Promise<boolean> => constraintExists(c, t.name, pk.name);
    await runDdl(ctx, client, attach, notCarried, t, { record: false, exists });
  }
  for (const s of statements) if (!BUILDS.has(s.kind)) await runDdl(ctx, client, s, notCarried, t);
}
