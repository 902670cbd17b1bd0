import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { reportMeasurement } from '../support/measurements';
import { waitUntil } from '../support/wait-until';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import type { MigrationReport } from '../../src/data-migration/model/report';
import { readReport, runMigrate, runVerify, startMigrate, workDir } from './support/migrate-cli';
import { loopWriterScript, startLoopWriter } from './support/loop-writer';
import { BANK_INVARIANTS, buildBank, ledgerRows, startWriter } from './support/transfer-workload';

// `migrate --online` while another process keeps moving money: the writer is never stopped for the
// copy; at the cut-over its writes wait a moment, and after it the file refuses them. Every transfer
// the writer saw committed is on the target, and none other.
const ACCOUNTS = 40_000;

/** `migrate --online` of `source` into `target`, its report in `report`. */
function runOnline(source: string, target: string, report: string, ...more: string[]) {
  return runMigrate(['--source', source, '--target', target, '--online', '--report', report, ...more]);
}

/** How many of the capture's objects (tables, triggers) the file holds. */
function captureObjectCount(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    const row = db
      .prepare(`SELECT count(*) AS n FROM sqlite_schema WHERE name LIKE '\\_pgmove\\_%' ESCAPE '\\'`)
      .get() as { n: number };
    return row.n;
  } finally {
    db.close();
  }
}

async function onTarget<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe.each(['wal', 'delete'] as const)('migrate --online (journal_mode=%s)', (mode) => {
  let target: TestDatabase;
  let dir: string;
  let source: string;

  beforeAll(async () => {
    dir = workDir(`online-${mode}`);
    source = join(dir, 'bank.sqlite');
    buildBank(source, ACCOUNTS, mode);
    target = await createTestDatabase(`online_${mode}`);
  });
  afterAll(async () => {
    await target.drop();
  });

  it('loses no acknowledged write, keeps none that was refused, and leaves the source refusing writes', async () => {
    const writer = await startWriter(source, ACCOUNTS);
    const report = join(dir, 'online.json');
    const before = ledgerRows(source);
    const result = await runMigrate([
      ...['--source', source, '--target', target.url, '--report', report],
      ...['--online', '--chunk-rows', '5000'],
    ]);
    // The writer goes on after the cut-over: its writes are refused from then on.
    await new Promise((r) => setTimeout(r, 300));
    const written = await writer.stop();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);

    const json = readReport(report);
    const online = json.online;
    expect(online?.cutover).toBeDefined();
    reportMeasurement(`online ${mode}`, 'cut-over pause ms', String(online?.cutover?.pauseMs));
    reportMeasurement(`online ${mode}`, 'changes applied by catch-up', String(online?.catchUp.changes));
    // Changes were made during the run and caught up, and the writer was refused after the cut-over.
    expect(online?.catchUp.changes).toBeGreaterThan(0);
    expect(written.refused).toBeGreaterThan(0);
    expect(written.refusal).toContain('moved to PostgreSQL');
    expect(written.done).toBeGreaterThan(before);

    const [bank] = await onTarget<{ sum_off: string; accounts_off: number; transfers: number }>(
      target.url,
      BANK_INVARIANTS,
    );
    expect({ sumOff: Number(bank?.sum_off), accountsOff: bank?.accounts_off }).toEqual({
      sumOff: 0,
      accountsOff: 0,
    });
    // Exactly the transfers the writer saw committed (the ledger starts empty): none lost, none extra.
    expect(bank?.transfers).toBe(written.done);
    expect(ledgerRows(source)).toBe(written.done);

    // The frozen source and the target are the same, value by value.
    const verified = await runVerify(source, target.url, join(dir, 'v.json'));
    expect(verified.code).toBe(0);

    // Sequences continue above every id the source handed out.
    const [next] = await onTarget<{ id: string }>(
      target.url,
      `INSERT INTO ledger (from_id, to_id, amount) VALUES (1, 2, 1) RETURNING id::text`,
    );
    expect(Number(next?.id)).toBeGreaterThan(written.done);
  }, 180_000);

  it('refuses a second cut-over of the moved file, and --abort makes it writable again', async () => {
    const again = await runOnline(source, target.url, join(dir, 'again.json'));
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/already moved to PostgreSQL .* a second cut-over is refused/);

    const aborted = await runMigrate(['--source', source, '--online', '--abort']);
    expect(aborted.code).toBe(0);
    expect(aborted.stdout).toMatch(/removed from .*_pgmove_state/);
    const db = new Database(source);
    try {
      db.prepare('UPDATE accounts SET balance = balance WHERE id = 1').run();
    } finally {
      db.close();
    }
    expect(captureObjectCount(source)).toBe(0);
  });
});

describe('migrate --online: refusals', () => {
  it('names the tables without a primary key and the way out', async () => {
    const dir = workDir('online-keyless');
    const source = join(dir, 'keyless.sqlite');
    const db = new Database(source);
    db.exec('CREATE TABLE log_lines (line TEXT); CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)');
    db.close();
    const target = await createTestDatabase('online_keyless');
    try {
      const result = await runOnline(source, target.url, join(dir, 'r.json'));
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/"log_lines" have none \(leave them out with --skip-table/);
      expect(captureObjectCount(source)).toBe(0);
    } finally {
      await target.drop();
    }
  });

  it.each([['--dry-run'], ['--no-verify'], ['--on-error', 'reject']])(
    'is a usage error with %s',
    async (...flag) => {
      const result = await runMigrate(['--source', 'x.sqlite', '--online', ...flag]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/--online/);
    },
  );
});

describe('migrate --online: killed, or the schema changed, mid-run', () => {
  let target: TestDatabase;
  let client: pg.Client;
  let dir: string;
  let source: string;
  const args = (): string[] => [
    '--source',
    source,
    '--target',
    target.url,
    '--online',
    '--chunk-rows',
    '10000',
    '--jobs',
    '1',
  ];
  const captureObjects = (): number => captureObjectCount(source);
  /** The id of the newest run on the target (0 before the first). */
  const lastRunId = (): Promise<number> =>
    client
      .query<{ id: number }>(`SELECT coalesce(max(id), 0)::int AS id FROM data_migration_runs`)
      .then((r) => r.rows[0]?.id ?? 0)
      .catch(() => 0);
  /** Waits until `sql` (given the newest run id before the run of interest) returns a row. */
  const waitForRow = (what: string, sql: string, last: number, withinMs: number): Promise<number> =>
    waitUntil(
      what,
      () =>
        client
          .query(sql, [last])
          .then((r) => (r.rowCount ?? 0) > 0)
          .catch(() => false),
      withinMs,
      10,
    );
  /** Starts an online run and resolves once it has committed its second chunk. */
  async function startCopying(report: string): Promise<ReturnType<typeof startMigrate>> {
    const last = await lastRunId();
    const run = startMigrate([...args(), '--reset-target', '--report', report]);
    await waitForRow(
      'the second chunk of the online run',
      `SELECT 1 FROM data_migration_state.chunks WHERE run_id > $1 HAVING count(*) >= 2`,
      last,
      60_000,
    );
    return run;
  }
  /** The bank on the target: every balance sums and matches its ledger, and holds the source's transfers. */
  async function expectBankExact(): Promise<void> {
    const [bank] = (
      await client.query<{ sum_off: string; accounts_off: number; transfers: number }>(BANK_INVARIANTS)
    ).rows;
    expect({ sumOff: Number(bank?.sum_off), accountsOff: bank?.accounts_off }).toEqual({
      sumOff: 0,
      accountsOff: 0,
    });
    expect(bank?.transfers).toBe(ledgerRows(source));
  }

  beforeAll(async () => {
    dir = workDir('online-faults');
    source = join(dir, 'bank.sqlite');
    buildBank(source, 200_000, 'wal');
    target = await createTestDatabase('online_faults');
    client = new pg.Client({ connectionString: target.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await target.drop();
  });

  it('after a SIGKILL the capture stays, the next run names it, --abort removes it and a new run succeeds', async () => {
    const writer = await startWriter(source, 200_000);
    try {
      const run = await startCopying(join(dir, 'killed.json'));
      run.child.kill('SIGKILL');
      expect((await run.done).signal).toBe('SIGKILL');
      expect(captureObjects()).toBeGreaterThan(0);

      const refused = await runMigrate([...args(), '--report', join(dir, 'refused.json')]);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toMatch(/has been capturing changes in .* since .*migrate --online --abort/);

      expect((await runMigrate(['--source', source, '--online', '--abort'])).code).toBe(0);
      expect(captureObjects()).toBe(0);

      const again = await runMigrate([...args(), '--reset-target', '--report', join(dir, 'again.json')]);
      expect(again.code).toBe(0);
    } finally {
      await writer.stop();
    }
    await expectBankExact();
    expect((await runMigrate(['--source', source, '--online', '--abort'])).code).toBe(0);
  }, 180_000);

  it('killed during the copy, --online --resume finishes it from the kept snapshot, catches up and cuts over', async () => {
    const writer = await startWriter(source, 200_000);
    try {
      const run = await startCopying(join(dir, 'killed-copy.json'));
      run.child.kill('SIGKILL');
      expect((await run.done).signal).toBe('SIGKILL');
      const resumed = await runMigrate([...args(), '--resume', '--report', join(dir, 'resumed-copy.json')]);
      expect(resumed.stdout).toMatch(/resuming with the change capture in place since/);
      expect(resumed.code).toBe(0);
      const online = readReport(join(dir, 'resumed-copy.json')).online;
      expect(online?.resumed?.copyVerifiedBefore).toBe(false);
      expect(online?.cutover?.refusingTriggers.length).toBeGreaterThan(0);
    } finally {
      await writer.stop();
    }
    await expectBankExact();
    expect((await runVerify(source, target.url, join(dir, 'resumed-copy-verify.json'))).code).toBe(0);
    expect((await runMigrate(['--source', source, '--online', '--abort'])).code).toBe(0);
  }, 180_000);

  it('killed during the catch-up, --online --resume goes on from the change the target had applied', async () => {
    const last = await lastRunId();
    const run = startMigrate([...args(), '--reset-target', '--report', join(dir, 'killed-catch-up.json')]);
    await new Promise<void>((resolve) =>
      run.child.stdout?.on('data', (d: Buffer) => d.toString().includes('capturing changes') && resolve()),
    );
    // Transactions of thousands of changes keep the catch-up behind, so the run is killed in it.
    const flood = spawn(process.execPath, ['-e', FLOOD_WRITER, source], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const flooded = new Promise((r) => flood.on('close', r));
    try {
      await waitForRow(
        'the first catch-up window',
        `SELECT 1 FROM data_migration_state.online WHERE run_id > $1`,
        last,
        120_000,
      );
      run.child.kill('SIGKILL');
      expect((await run.done).signal).toBe('SIGKILL');
      flood.kill('SIGTERM');
      await flooded;
      const resumed = await runMigrate([
        ...args(),
        '--resume',
        '--report',
        join(dir, 'resumed-catch-up.json'),
      ]);
      expect(resumed.code).toBe(0);
      const online = readReport(join(dir, 'resumed-catch-up.json')).online;
      expect(online?.resumed?.copyVerifiedBefore).toBe(true);
      expect(BigInt(online?.resumed?.fromPosition ?? '0')).toBeGreaterThan(
        BigInt(online?.snapshotPosition ?? '0'),
      );
    } finally {
      flood.kill('SIGTERM');
    }
    expect((await runVerify(source, target.url, join(dir, 'resumed-catch-up-verify.json'))).code).toBe(0);
    expect((await runMigrate(['--source', source, '--online', '--abort'])).code).toBe(0);
  }, 240_000);

  it('a write lock held past the busy timeout refuses the capture with the reason, adding nothing', async () => {
    const holder = new Database(source);
    holder.exec('BEGIN IMMEDIATE');
    try {
      const result = await runMigrate([...args(), '--reset-target', '--report', join(dir, 'locked.json')]);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/could not add the change capture to .*: its write lock stayed taken/);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect(captureObjects()).toBe(0);
  }, 60_000);

  it('a table created on the source during the run stops it with the reason, and its capture is removed', async () => {
    const run = await startCopying(join(dir, 'ddl.json'));
    const db = new Database(source, { timeout: 10_000 });
    db.exec('CREATE TABLE added_meanwhile (id INTEGER PRIMARY KEY)');
    db.close();
    const result = await run.done;
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/the source's schema changed during the online run/);
    expect(captureObjects()).toBe(0);
  }, 120_000);
});

// Big transactions of no-op updates: each logs thousands of changes, more than a catch-up pass applies.
const FLOOD_WRITER = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1], { timeout: 10000 });
const touch = db.prepare('UPDATE accounts SET balance = balance WHERE id % 50 = ?');
let stop = false, i = 0;
process.on('SIGTERM', () => (stop = true));
const step = () => {
  if (stop) { db.close(); return; }
  try { db.transaction(() => touch.run(i++ % 50)).immediate(); } catch (error) {
    if (!String(error.message).includes('moved to PostgreSQL')) throw error;
  }
  setTimeout(step, 2);
};
step();
`;

/** A WAL-mode source built by `sql`, with a pad table so the copy takes long enough to write during. */
function buildSource(path: string, sql: string): void {
  const db = new Database(path);
  db.pragma('journal_mode = wal');
  db.exec(`${sql};
    CREATE TABLE pad (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000)
    INSERT INTO pad SELECT i, printf('%080d', i) FROM n;`);
  db.close();
}

/**
 * `migrate --online` of a source built by `sql` while the writer runs from before the run until the
 * file refuses it: the run succeeds, the writer wrote, verify passes, and `check` sees the rest.
 */
async function onlineWhileWriting(
  label: string,
  sql: string,
  writer: string,
  check: (seen: {
    report: MigrationReport;
    stdout: string;
    source: string;
    target: string;
  }) => Promise<void> | void,
): Promise<void> {
  const dir = workDir(`online-${label}`);
  const source = join(dir, 'source.sqlite');
  buildSource(source, sql);
  const target = await createTestDatabase(`online_${label.replace(/-/g, '_')}`);
  try {
    const running = await startLoopWriter(writer, source);
    let result: Awaited<ReturnType<typeof runOnline>>;
    try {
      result = await runOnline(source, target.url, join(dir, 'r.json'));
    } finally {
      expect(await running.stop()).toBeGreaterThan(0);
    }
    expect(result.stdout).not.toMatch(/FAILED/);
    expect(result.code).toBe(0);
    expect((await runVerify(source, target.url, join(dir, 'v.json'))).code).toBe(0);
    await check({
      report: readReport(join(dir, 'r.json')),
      stdout: result.stdout,
      source,
      target: target.url,
    });
  } finally {
    await target.drop();
  }
}

const WAREHOUSES = `CREATE TABLE warehouses (code TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID;
  INSERT INTO warehouses VALUES ('north', 'North'), ('south', 'South');
  CREATE TABLE stock (warehouse TEXT NOT NULL REFERENCES warehouses (code), sku INTEGER NOT NULL, qty INTEGER NOT NULL,
    PRIMARY KEY (warehouse, sku)) WITHOUT ROWID;
  WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 4999)
  INSERT INTO stock SELECT w.code, n.i, n.i % 7 FROM n, warehouses w`;

// Changes of every kind on a WITHOUT ROWID table with a composite key and a foreign key: inserts,
// updates, key changes and deletes, all applied by key, so the frozen source and the target agree.
const STOCK_WRITER = loopWriterScript(
  `const ops = [
    db.prepare("INSERT OR IGNORE INTO stock (warehouse, sku, qty) VALUES (?, ?, 1)"),
    db.prepare("UPDATE stock SET qty = qty + 1 WHERE warehouse = ? AND sku = ?"),
    db.prepare("UPDATE OR IGNORE stock SET sku = sku + 1000000 WHERE warehouse = ? AND sku = ?"),
    db.prepare("DELETE FROM stock WHERE warehouse = ? AND sku = ?"),
  ];`,
  `db.transaction(() => ops[done % 4].run(['north', 'south'][done % 2], Math.floor(Math.random() * 5000)))()`,
);

describe('migrate --online: composite keys, WITHOUT ROWID, key changes and deletes', () => {
  it('leaves the frozen source and the target equal, value by value', async () => {
    await onlineWhileWriting('stock', WAREHOUSES, STOCK_WRITER, ({ report }) => {
      expect(report.online?.catchUp.rowsDeleted).toBeGreaterThan(0);
      expect(report.online?.catchUp.rowsMerged).toBeGreaterThan(0);
    });
  }, 120_000);
});

const USERS = `CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, n INTEGER NOT NULL);
  CREATE TABLE handles (id INTEGER PRIMARY KEY, handle TEXT UNIQUE ON CONFLICT REPLACE);
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
  INSERT INTO users SELECT i, 'u' || (i - 1) || '@x', 0 FROM n;
  INSERT INTO handles SELECT id, 'h' || (id - 1) FROM users`;

// Rows deleted by REPLACE conflict resolution on a UNIQUE column fire no delete trigger in another
// process's connection; the capture logs them before each insert and update, so nothing is missed.
const REPLACE_WRITER = loopWriterScript(
  `const ops = [
    (id, r) => db.prepare("INSERT OR REPLACE INTO users (id, email, n) VALUES (?, ?, 1)").run(id, 'u' + (r % 3000) + '@x'),
    (id, r) => db.prepare("UPDATE OR REPLACE users SET email = ? WHERE id = ?").run('u' + (r % 3000) + '@x', id % 3000 + 1),
    (id, r) => db.prepare("INSERT INTO handles (id, handle) VALUES (?, ?)").run(id, 'h' + (r % 3000)),
  ];`,
  `const r = Math.floor(Math.random() * 1e9);
      db.transaction(() => ops[done % 3](next++, r))()`,
);

// Unique values moving from row to row in separate transactions (a: x → fresh, then b: y → x): merged at
// once in one window they clash, so the merge takes them in passes. b is logged before a (touched
// first), so a window's rows come b first: b takes x while a still holds it. (The writer reads before
// it writes, so it begins IMMEDIATE, as the README tells the file's writers to.)
const CHAIN_WRITER = loopWriterScript(
  `const emailOf = db.prepare('SELECT email FROM users WHERE id = ?').pluck();
  const setEmail = db.prepare('UPDATE users SET email = ? WHERE id = ?');
  const touch = db.prepare('UPDATE users SET n = n + 1 WHERE id = ?');`,
  `const a = 1 + ((done * 7919) % 3000), b = 1 + ((done * 7919 + 1) % 3000);
      touch.run(b);
      const x = db.transaction(() => { const x = emailOf.get(a); setEmail.run('f' + done + '@x', a); return x; }).immediate();
      db.transaction(() => setEmail.run(x, b))()`,
);

describe('migrate --online: unique values that move between rows', () => {
  it.each([
    ['INSERT OR REPLACE and ON CONFLICT REPLACE delete rows', REPLACE_WRITER, 'replace'],
    ['a value passes from row to row', CHAIN_WRITER, 'chain'],
  ])(
    '%s: cut over with both sides equal',
    async (_what, script, label) => {
      await onlineWhileWriting(label, USERS, script, async ({ report, stdout, source, target }) => {
        expect(stdout).not.toMatch(/cut-over refused|duplicate key/);
        const catchUp = report.online?.catchUp;
        if (label === 'replace') expect(catchUp?.rowsDeleted).toBeGreaterThan(0);
        else expect(catchUp?.rowsMerged).toBeGreaterThan(0);
        const frozen = new Database(source, { readonly: true });
        const counts = ['users', 'handles'].map(
          (t) => (frozen.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n,
        );
        frozen.close();
        const [onPg] = await onTarget<{ u: string; h: string }>(
          target,
          'SELECT (SELECT count(*) FROM users)::text AS u, (SELECT count(*) FROM handles)::text AS h',
        );
        expect([Number(onPg?.u), Number(onPg?.h)]).toEqual(counts);
      });
    },
    120_000,
  );
});

const TREE = `CREATE TABLE parents (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
  CREATE TABLE children (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parents (id));
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
  INSERT INTO parents SELECT i, 'p' || i FROM n;
  INSERT INTO children SELECT id, id FROM parents`;

// A child re-pointed to a new parent and its old parent deleted in one transaction: deleting the
// gone parent first would break the child's foreign key on the target, so that window merges first.
const REPARENT_WRITER = loopWriterScript(
  `db.pragma('foreign_keys = ON');
  const add = db.prepare('INSERT INTO parents (id, name) VALUES (?, ?)');
  const move = db.prepare('UPDATE children SET parent_id = ? WHERE id = ?');
  const oldParent = db.prepare('SELECT parent_id FROM children WHERE id = ?').pluck();
  const drop = db.prepare('DELETE FROM parents WHERE id = ?');`,
  `const child = 1 + ((done * 7919) % 2000);
      db.transaction(() => {
        const was = oldParent.get(child);
        add.run(next, 'p' + next);
        move.run(next++, child);
        drop.run(was);
      }).immediate()`,
);

describe('migrate --online: a parent deleted after its child moved to another', () => {
  it('applies the window with the merges first and cuts over with both sides equal', async () => {
    await onlineWhileWriting('reparent', TREE, REPARENT_WRITER, async ({ report, stdout, target }) => {
      expect(stdout).not.toMatch(/foreign key/);
      expect(report.online?.catchUp.rowsDeleted).toBeGreaterThan(0);
      const [fk] = await onTarget<{ n: string }>(
        target,
        `SELECT count(*)::text AS n FROM pg_constraint WHERE contype = 'f' AND conrelid = 'children'::regclass`,
      );
      expect(Number(fk?.n)).toBe(1);
    });
  }, 120_000);
});

const ACTORS = `CREATE TABLE actor (actor_id INTEGER PRIMARY KEY, first_name TEXT NOT NULL, last_update TIMESTAMP);
  CREATE TRIGGER actor_stamp AFTER UPDATE ON actor FOR EACH ROW BEGIN
    UPDATE actor SET last_update = DATETIME('NOW') WHERE rowid = new.rowid;
  END;
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
  INSERT INTO actor SELECT i, 'a' || i, '2020-01-01 00:00:00' FROM n`;

// A carried trigger that stamps rows (Sakila's last_update) must not fire when the catch-up merges a
// row the source already stamped: the target would differ from the source. It is created at the
// cut-over, once the last change is applied, and is there for the writes on PostgreSQL after it.
const STAMP_WRITER = loopWriterScript(
  `const rename = db.prepare("UPDATE actor SET first_name = first_name || 'x' WHERE actor_id = ?");`,
  `db.transaction(() => rename.run(1 + (done % 2000))).immediate()`,
);

describe('migrate --online: a table with a carried trigger', () => {
  it('catches up without firing it, and it is on the target after the cut-over', async () => {
    await onlineWhileWriting('trigger', ACTORS, STAMP_WRITER, async ({ report, stdout, target }) => {
      expect(stdout).not.toMatch(/read back as sent/);
      expect(report.online?.catchUp.rowsMerged).toBeGreaterThan(0);
      // The trigger works on PostgreSQL now: an update stamps the row.
      const [row] = await onTarget<{ stamped: boolean }>(
        target,
        `UPDATE actor SET first_name = 'z' WHERE actor_id = 1 RETURNING last_update > '2021-01-01' AS stamped`,
      );
      expect(row?.stamped).toBe(true);
    });
  }, 120_000);
});
