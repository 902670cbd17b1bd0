import { join } from 'node:path';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { compareDatabases } from './support/compare-databases';
import { generateSqlite } from './support/generate-sqlite';
import { readReport, runMigrate, sha256, startMigrate, workDir, type AnyRow } from './support/migrate-cli';

const ROWS = 200_000;

describe('migrate: SIGKILL during the copy, then --resume', () => {
  let target: TestDatabase;
  let client: pg.Client;
  let source: string;
  let dir: string;

  beforeAll(async () => {
    dir = workDir('resume');
    source = join(dir, 'generated.sqlite');
    generateSqlite(source, ROWS);
    target = await createTestDatabase('resume');
    client = new pg.Client({ connectionString: target.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await target.drop();
  });

  async function committedChunks(): Promise<number> {
    try {
      const r = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM data_migration_state.chunks WHERE table_name = 'events'`,
      );
      return r.rows[0]?.n ?? 0;
    } catch {
      return 0; // the state tables do not exist yet
    }
  }

  it('finishes with no duplicate and no missing row, without copying committed chunks again', async () => {
    const before = sha256(source);
    const args = ['--source', source, '--target', target.url, '--chunk-rows', '20000', '--jobs', '2'];
    const run = startMigrate([...args, '--report', join(dir, 'killed.json')]);
    const deadline = Date.now() + 60_000;
    while ((await committedChunks()) < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    run.child.kill('SIGKILL');
    const killed = await run.done;
    expect(killed.signal).toBe('SIGKILL');

    const partial = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM events`);
    expect(partial.rows[0]?.n).toBeGreaterThan(0);
    expect(partial.rows[0]?.n).toBeLessThan(ROWS);
    // Rows of committed chunks, by the transaction that wrote them.
    const written = await client.query<{ xmin: string; n: number }>(
      `SELECT xmin::text, count(*)::int AS n FROM events GROUP BY 1`,
    );

    const refused = await runMigrate([...args, '--report', join(dir, 'refused.json')]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/--resume/);

    const resumed = await runMigrate([...args, '--resume', '--report', join(dir, 'resumed.json')]);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const report = readReport(join(dir, 'resumed.json'));
    expect(report.verification?.ok).toBe(true);
    expect(report.tables.find((t) => t.table === 'events')?.rowsWritten).toBe(ROWS);

    const after = await client.query<{ n: number; distinct: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT id)::int AS distinct FROM events`,
    );
    expect(after.rows[0]).toEqual({ n: ROWS, distinct: ROWS });
    for (const w of written.rows) {
      const still = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM events WHERE xmin::text = $1`,
        [w.xmin],
      );
      expect(still.rows[0]?.n).toBe(w.n);
    }
    const runs = await client.query<AnyRow>(`SELECT status, verified FROM data_migration_runs`);
    expect(runs.rows).toEqual([{ status: 'succeeded', verified: true }]);
    expect(await compareDatabases(source, target.url)).toEqual([]);
    expect(sha256(source)).toBe(before);
  }, 120_000);
});
