import { spawn, type ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';

/**
 * A bank: `accounts` start at 1000 each and a writer in another process moves money between them,
 * one transaction per transfer (two UPDATEs of `accounts`, one INSERT into `ledger`). Every state
 * the file is ever in satisfies: the balances sum to 1000 × accounts, and each balance is 1000 minus
 * what the ledger says left the account plus what came in. A copy that mixes two states breaks them.
 */
export const START_BALANCE = 1000;

export function buildBank(path: string, accounts: number, journalMode: 'wal' | 'delete'): void {
  const db = new Database(path);
  db.pragma(`journal_mode = ${journalMode}`);
  db.exec(`
    CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT NOT NULL, balance INTEGER NOT NULL);
    CREATE TABLE ledger (
      id INTEGER PRIMARY KEY,
      from_id INTEGER NOT NULL REFERENCES accounts (id),
      to_id INTEGER NOT NULL REFERENCES accounts (id),
      amount INTEGER NOT NULL
    );`);
  const insert = db.prepare('INSERT INTO accounts (id, owner, balance) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= accounts; i++) insert.run(i, `owner ${i} `.padEnd(120, '.'), START_BALANCE);
  })();
  db.close();
}

// Runs in the writer process: transfers until SIGTERM, about one per millisecond.
const WRITER = `
const Database = require('better-sqlite3');
const [path, accounts] = [process.argv[1], Number(process.argv[2])];
const db = new Database(path, { timeout: 10000 });
db.pragma('synchronous = OFF');
const debit = db.prepare('UPDATE accounts SET balance = balance - ? WHERE id = ?');
const credit = db.prepare('UPDATE accounts SET balance = balance + ? WHERE id = ?');
const log = db.prepare('INSERT INTO ledger (from_id, to_id, amount) VALUES (?, ?, ?)');
const transfer = db.transaction((from, to, amount) => {
  debit.run(amount, from);
  credit.run(amount, to);
  log.run(from, to, amount);
});
let done = 0;
let refused = 0;
let refusal = '';
let stop = false;
process.on('SIGTERM', () => (stop = true));
const pause = new Int32Array(new SharedArrayBuffer(4));
const step = () => {
  for (let i = 0; i < 20 && !stop; i++) {
    const from = 1 + Math.floor(Math.random() * accounts);
    const to = 1 + Math.floor(Math.random() * accounts);
    try {
      transfer.immediate(from, to, 1 + Math.floor(Math.random() * 100));
      done++;
    } catch (error) {
      // After an online migration's cut-over the file refuses writes, naming where the data went.
      if (!String(error.message).includes('moved to PostgreSQL')) throw error;
      refused++;
      refusal = error.message;
    }
    Atomics.wait(pause, 0, 0, 1);
  }
  if (stop) {
    db.close();
    process.stdout.write(JSON.stringify({ done, refused, refusal }));
    return;
  }
  if (done === 20) process.stderr.write('writing\\n');
  setImmediate(step);
};
step();
`;

export interface Writer {
  child: ChildProcess;
  /** Stops the writer; resolves to the transfers it committed and those the file refused. */
  stop(): Promise<WriterResult>;
}

export interface WriterResult {
  done: number;
  refused: number;
  /** The message of the last refusal. */
  refusal: string;
}

/** Starts the writer and resolves once its first transfers are committed. */
export async function startWriter(path: string, accounts: number): Promise<Writer> {
  const child = spawn(process.execPath, ['-e', WRITER, path, String(accounts)], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('writing')) resolve();
    });
    void exited.then((code) => reject(new Error(`writer exited (${code}) before writing: ${stderr}`)));
  });
  return {
    child,
    stop: async () => {
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`writer exited with ${code}: ${stderr}`);
      return JSON.parse(stdout) as WriterResult;
    },
  };
}

/** Transfers committed to the file so far (read in one transaction of its own). */
export function ledgerRows(path: string): number {
  const db = new Database(path, { readonly: true, timeout: 10000 });
  try {
    return (db.prepare('SELECT count(*) AS n FROM ledger').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** The invariants of one state, checked on the target: both counts must be 0 (hash joins, any size). */
export const BANK_INVARIANTS = `
  WITH moved AS (
    SELECT id, sum(delta) AS delta
      FROM (SELECT from_id AS id, -amount AS delta FROM ledger UNION ALL SELECT to_id, amount FROM ledger) m
     GROUP BY id)
  SELECT (SELECT sum(balance) FROM accounts)::bigint - ${START_BALANCE}::bigint * (SELECT count(*) FROM accounts) AS sum_off,
         (SELECT count(*) FROM accounts a LEFT JOIN moved m ON m.id = a.id
           WHERE a.balance <> ${START_BALANCE} + coalesce(m.delta, 0))::int AS accounts_off,
         (SELECT count(*) FROM ledger)::int AS transfers`;
