import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { waitUntil } from '../support/wait-until';
import { readReport, runMigrate, startMigrate, workDir } from './support/migrate-cli';
import { BANK_INVARIANTS, buildBank, ledgerRows, startWriter } from './support/transfer-workload';

// A migration of a file another process keeps writing copies one state of it: each chunk, each
// thread and the verification read the same instant, so the target satisfies every invariant the
// source always satisfies, and "verified" means verified against that one state.
const ACCOUNTS = 60_000;
const CHUNK = ['--chunk-rows', '4000', '--jobs', '2'];

interface Bank {
  sum_off: string;
  accounts_off: number;
  transfers: number;
}

async function bankOnTarget(url: string): Promise<Bank> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<Bank>(BANK_INVARIANTS);
    if (!rows[0]) throw new Error('no result');
    return rows[0];
  } finally {
    await client.end();
  }
}

describe.each([
  ['wal', 'online-backup'],
  ['delete', 'file-copy-under-shared-lock'],
] as const)('migrate while another process writes (journal_mode=%s)', (mode, method) => {
  let target: TestDatabase;
  let dir: string;
  let source: string;

  beforeAll(async () => {
    dir = workDir(`concurrent-${mode}`);
    source = join(dir, 'bank.sqlite');
    buildBank(source, ACCOUNTS, mode);
    target = await createTestDatabase(`concurrent_${mode}`);
  });
  afterAll(async () => {
    await target.drop();
  });

  it('copies one state: invariants exact on the target, verified, snapshot named and removed', async () => {
    const writer = await startWriter(source, ACCOUNTS);
    let transfers: number;
    const report = join(dir, 'report.json');
    let before: number;
    let after: number;
    try {
      before = ledgerRows(source);
      const result = await runMigrate([
        '--source',
        source,
        '--target',
        target.url,
        '--report',
        report,
        ...CHUNK,
      ]);
      after = ledgerRows(source);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    } finally {
      transfers = (await writer.stop()).done;
    }
    // The writer really wrote throughout the run.
    expect(after).toBeGreaterThan(before);
    expect(transfers).toBeGreaterThanOrEqual(after);

    const bank = await bankOnTarget(target.url);
    expect({ sumOff: Number(bank.sum_off), accountsOff: bank.accounts_off }).toEqual({
      sumOff: 0,
      accountsOff: 0,
    });
    expect(bank.transfers).toBeGreaterThanOrEqual(before);
    expect(bank.transfers).toBeLessThanOrEqual(after);

    const json = readReport(report);
    expect(json.verification?.ok).toBe(true);
    expect(json.tables.map((t) => t.verified)).toEqual([true, true]);
    expect(json.source.unchanged).toBe(true);
    const snapshot = json.source.snapshot;
    expect(snapshot).toMatchObject({ method, journalMode: mode, resumed: false, kept: false });
    expect(Date.parse(snapshot?.takenAt ?? '')).toBeGreaterThan(Date.parse(json.startedAt) - 1);
    expect(existsSync(snapshot?.path ?? '')).toBe(false);
  }, 120_000);
});

describe('migrate --resume while another process writes', () => {
  let target: TestDatabase;
  let client: pg.Client;
  let dir: string;
  let source: string;

  beforeAll(async () => {
    dir = workDir('concurrent-resume');
    source = join(dir, 'bank.sqlite');
    buildBank(source, 200_000, 'wal');
    target = await createTestDatabase('concurrent_resume');
    client = new pg.Client({ connectionString: target.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await target.drop();
  });

  /** Chunks committed by runs newer than `afterRun`. */
  async function committedChunks(afterRun: number): Promise<number> {
    try {
      const r = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM data_migration_state.chunks WHERE run_id > $1`,
        [afterRun],
      );
      return r.rows[0]?.n ?? 0;
    } catch {
      return 0; // the state tables do not exist yet
    }
  }

  async function killAfterTwoChunks(report: string, ...more: string[]): Promise<void> {
    const args = ['--source', source, '--target', target.url, '--report', report, '--chunk-rows', '10000'];
    const last = await client
      .query<{ id: number }>(`SELECT coalesce(max(id), 0)::int AS id FROM data_migration_runs`)
      .then((r) => r.rows[0]?.id ?? 0)
      .catch(() => 0);
    const run = startMigrate([...args, '--jobs', '1', ...more]);
    const deadline = Date.now() + 60_000;
    while ((await committedChunks(last)) < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
  }

  it('continues from the interrupted run’s snapshot, so the resumed chunks are of the same state', async () => {
    const writer = await startWriter(source, 200_000);
    try {
      await killAfterTwoChunks(join(dir, 'killed.json'));
      const resumedReport = join(dir, 'resumed.json');
      const resumed = await runMigrate([
        ...['--source', source, '--target', target.url, '--report', resumedReport],
        ...['--chunk-rows', '10000', '--resume'],
      ]);
      expect(resumed.stderr).toBe('');
      expect(resumed.code).toBe(0);
      const json = readReport(resumedReport);
      expect(json.verification?.ok).toBe(true);
      expect(json.source.snapshot).toMatchObject({ method: 'online-backup', resumed: true, kept: false });
      expect(existsSync(json.source.snapshot?.path ?? '')).toBe(false);
    } finally {
      await writer.stop();
    }
    const bank = await bankOnTarget(target.url);
    expect({ sumOff: Number(bank.sum_off), accountsOff: bank.accounts_off }).toEqual({
      sumOff: 0,
      accountsOff: 0,
    });
  }, 180_000);

  it('refuses to resume when the interrupted run’s snapshot is gone, naming it and the way out', async () => {
    await killAfterTwoChunks(join(dir, 'killed-again.json'), '--reset-target');
    const { rows } = await client.query<{ path: string }>(
      `SELECT snapshot->>'path' AS path FROM data_migration_runs ORDER BY id DESC LIMIT 1`,
    );
    const kept = rows[0]?.path ?? '';
    expect(existsSync(kept)).toBe(true);
    rmSync(kept);
    const refused = await runMigrate([
      '--source',
      source,
      '--target',
      target.url,
      '--resume',
      '--report',
      join(dir, 'x.json'),
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(`the snapshot of the source that run`);
    expect(refused.stdout).toContain(kept);
    expect(refused.stdout).toMatch(/start again with --reset-target/);
  }, 180_000);
});

describe.each(['wal', 'delete'] as const)(
  'a snapshot written to during the run (journal_mode=%s)',
  (mode) => {
    it('fails the run: the copy is not shown to be of one state', async () => {
      const dir = workDir(`snapshot-written-${mode}`);
      const source = join(dir, 'bank.sqlite');
      buildBank(source, 200_000, mode);
      const target = await createTestDatabase(`snapshot_written_${mode}`);
      const report = join(dir, 'r.json');
      try {
        const run = startMigrate([
          '--source',
          source,
          '--target',
          target.url,
          '--report',
          report,
          '--chunk-rows',
          '5000',
          '--jobs',
          '1',
        ]);
        // Another process writes to the run's private copy once the load has committed a chunk of it.
        const client = new pg.Client({ connectionString: target.url });
        await client.connect();
        let snapshot: string | undefined;
        try {
          await waitUntil(
            'the first committed chunk',
            () =>
              client
                .query('SELECT 1 FROM data_migration_state.chunks')
                .then((r) => (r.rowCount ?? 0) > 0)
                .catch(() => false),
            60_000,
            10,
          );
          const { rows } = await client.query<{ path: string }>(
            `SELECT snapshot->>'path' AS path FROM data_migration_runs ORDER BY id DESC LIMIT 1`,
          );
          snapshot = rows[0]?.path;
        } finally {
          await client.end();
        }
        expect(snapshot).toBeDefined();
        const db = new Database(snapshot ?? '', { timeout: 10_000 });
        db.prepare('UPDATE accounts SET balance = balance + 1 WHERE id = 1').run();
        db.close();
        const result = await run.done;
        expect(result.code).toBe(1);
        expect(result.stdout).toMatch(/changed while the run read it/);
        expect(readReport(report).source.unchanged).toBe(false);
      } finally {
        await target.drop();
      }
    }, 120_000);
  },
);
