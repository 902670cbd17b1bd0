// npm run bench:online -- [--rows 1000000] [--rounds 5] [--rate 250]
// `migrate --online` of the benchmark file while a writer process commits about --rate transactions
// a second (each an UPDATE of a random event and an INSERT of a new one) from before the run starts
// until after its cut-over; alternating with the offline `migrate` of the same file (no writer), one
// pair per round. Each round works on a fresh copy of the file (an online run leaves it refusing
// writes). Records the cut-over pause (the tool's, and the longest any write attempt took), catch-up
// figures, total times and the writes acknowledged against what the target holds, in
// docs/benchmarks.md.
import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { freePortSync } from '../support/free-port-sync';
import { startBenchPostgres } from '../support/bench-postgres';
import { describeMachine } from '../support/machine';
import { writeMarkdownSection } from '../support/markdown-section';
import { measure } from '../support/measure';
import { generateBenchDatabase } from './generate-sqlite';

const root = process.cwd();
const outDir = join(root, 'bench', 'out');
const mainJs = join(root, 'dist', 'src', 'main.js');
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '5' },
    rate: { type: 'string', default: '250' },
  },
});
const rows = Number(values.rows);
const rounds = Number(values.rounds);
const rate = Number(values.rate);

// The writer: paced transactions until SIGTERM; reports what it committed and its slowest commit.
const WRITER = `
const Database = require('better-sqlite3');
const [path, rate] = [process.argv[1], Number(process.argv[2])];
const db = new Database(path, { timeout: 10000 });
const max = db.prepare('SELECT max(id) AS m FROM events').get().m;
const update = db.prepare('UPDATE events SET amount = round(amount + 1, 2), note = ? WHERE id = ?');
const insert = db.prepare("INSERT INTO events (author_id, title, happened_at, amount, ratio, payload, note) VALUES (1, 'online', '2026-12-04 12:00:00', 1.00, 0.5, '{}', 'new')");
const tx = db.transaction((id, note) => { update.run(note, id); insert.run(); });
let done = 0, inserted = 0, refused = 0, slowest = 0, stop = false;
process.on('SIGTERM', () => (stop = true));
const started = Date.now();
const step = () => {
  if (stop) { db.close(); process.stdout.write(JSON.stringify({ done, inserted, refused, slowest })); return; }
  const t0 = performance.now();
  try {
    tx.immediate(1 + Math.floor(Math.random() * max), 'w' + done);
    done++; inserted++;
  } catch (error) {
    if (!String(error.message).includes('moved to PostgreSQL')) throw error;
    refused++;
  }
  // A write that waited at the cut-over is refused when the wait ends: it counts too.
  slowest = Math.max(slowest, performance.now() - t0);
  if (done === 1) process.stderr.write('writing\\n');
  const due = started + ((done + refused) * 1000) / rate;
  setTimeout(step, Math.max(0, due - Date.now()));
};
step();
`;

interface WriterResult {
  done: number;
  inserted: number;
  refused: number;
  slowest: number;
}

async function startWriter(path: string): Promise<() => Promise<WriterResult>> {
  const child = spawn(process.execPath, ['-e', WRITER, path, String(rate)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const closed = new Promise<number | null>((r) => child.on('close', r));
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('writing')) resolve();
    });
    void closed.then((code) => reject(new Error(`writer exited ${code}: ${err}`)));
  });
  return async () => {
    child.kill('SIGTERM');
    await closed;
    return JSON.parse(out) as WriterResult;
  };
}

async function count(url: string, sql: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: r } = await client.query<{ n: string }>(sql);
    return Number(r[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

interface Round {
  offlineSeconds: number;
  onlineSeconds: number;
  pauseMs: number;
  slowestCommitMs: number;
  catchUpChanges: number;
  catchUpSeconds: number;
  acknowledged: number;
  refused: number;
  lost: number;
  verified: boolean;
}

async function main(): Promise<void> {
  const file = join(outDir, `bench-${rows}.sqlite`);
  generateBenchDatabase(file, rows);
  const work = join(outDir, `online-${rows}.sqlite`);
  const pgServer = await startBenchPostgres(freePortSync());
  const results: Round[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      const offlineUrl = await pgServer.createDatabase('offline');
      const offline = await measure(process.execPath, [
        mainJs,
        'migrate',
        '--source',
        file,
        '--target',
        offlineUrl,
        '--report',
        join(outDir, 'offline.report.json'),
      ]);
      if (offline.exitCode !== 0) throw new Error(`offline migrate failed:\n${offline.output.slice(-2000)}`);

      for (const suffix of ['', '-wal', '-shm']) rmSync(work + suffix, { force: true });
      copyFileSync(file, work);
      const db = new Database(work);
      db.pragma('journal_mode = WAL');
      const before = (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
      db.close();
      const url = await pgServer.createDatabase('online');
      const stopWriter = await startWriter(work);
      const report = join(outDir, 'online.report.json');
      const online = await measure(process.execPath, [
        mainJs,
        'migrate',
        '--online',
        '--source',
        work,
        '--target',
        url,
        '--report',
        report,
      ]);
      await new Promise((r) => setTimeout(r, 500));
      const writer = await stopWriter();
      if (online.exitCode !== 0) throw new Error(`online migrate failed:\n${online.output.slice(-2000)}`);
      const json = JSON.parse(readFileSync(report, 'utf8')) as {
        online: { cutover: { pauseMs: number }; catchUp: { changes: number; seconds: number } };
      };
      const onTarget = await count(url, 'SELECT count(*)::text AS n FROM events');
      const verify = await measure(process.execPath, [
        mainJs,
        'migrate',
        'verify',
        '--source',
        work,
        '--target',
        url,
        '--report',
        join(outDir, 'online-verify.json'),
      ]);
      const r: Round = {
        offlineSeconds: offline.wallSeconds,
        onlineSeconds: online.wallSeconds,
        pauseMs: json.online.cutover.pauseMs,
        slowestCommitMs: writer.slowest,
        catchUpChanges: json.online.catchUp.changes,
        catchUpSeconds: json.online.catchUp.seconds,
        acknowledged: writer.done,
        refused: writer.refused,
        lost: before + writer.inserted - onTarget,
        verified: verify.exitCode === 0,
      };
      results.push(r);
      console.log(`round ${round}: ${JSON.stringify(r)}`);
    }
  } finally {
    await pgServer.stop();
  }
  const f = (n: number, d = 2) => n.toFixed(d);
  const lines = [
    `### Online migration: ${rows.toLocaleString('en-US')} rows, a writer at ${rate} transactions/s (${new Date().toISOString().slice(0, 10)})`,
    '',
    `\`npm run bench:online -- --rows ${rows} --rounds ${rounds} --rate ${rate}\`: per round the offline \`migrate\` (no writer), then \`migrate --online\` of a fresh WAL-mode copy while a writer process commits an UPDATE and an INSERT per transaction from before the run until after its cut-over. Machine: ${describeMachine()}.`,
    '',
    '| round | offline migrate (s) | online migrate (s) | cut-over pause (ms) | longest write attempt (ms) | changes caught up | catch-up (s) | writes acknowledged | refused after cut-over | lost | verify after |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r, i) =>
        `| ${i + 1} | ${f(r.offlineSeconds)} | ${f(r.onlineSeconds)} | ${r.pauseMs} | ${f(r.slowestCommitMs, 0)} | ${r.catchUpChanges} | ${f(r.catchUpSeconds)} | ${r.acknowledged} | ${r.refused} | ${r.lost} | ${r.verified ? 'passed' : 'FAILED'} |`,
    ),
    '',
    `Worst cut-over pause: ${Math.max(...results.map((r) => r.pauseMs))} ms (tool) / ${f(Math.max(...results.map((r) => r.slowestCommitMs)), 0)} ms (the longest a write attempt waited, commit or refusal); lost writes in all rounds: ${results.reduce((n, r) => n + r.lost, 0)}.`,
  ];
  const body = lines.join('\n');
  console.log(`\n${body}`);
  writeMarkdownSection(join(root, 'docs', 'benchmarks.md'), `online-${rows}`, body);
}

void main();
