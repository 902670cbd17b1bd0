// npm run bench:online-service -- [--rows 1000000] [--rounds 5] [--rate 250] [--readers 50] [--read-rate 500]
//                                  [--jobs 2]
// The service itself runs on an SQLite file of --rows entries and is cut over to PostgreSQL by
// `migrate --online --service` while clients keep using it over HTTP: one writer POSTing /entries at
// --rate requests a second, and --readers connections reading (GET /entries, GET /sources/:id) at
// --read-rate requests a second in all, from 3 s before the tool starts (the baseline) until 3 s after it
// ends. Per round, a fresh copy of the file and a fresh database.
// Measured: the write pause (the longest a write request took around the cut-over, from its send to
// its 201 from PostgreSQL), the tool's own pause, read and write errors, the catch-up, and the
// invariants on the final PostgreSQL: every acknowledged entry is there once with the title it was
// sent with, and the count is the seed plus the acknowledged. Then the writes made after the switch
// (checked above) are deleted and `migrate verify` compares the rest with the frozen file.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { startBenchPostgres } from '../support/bench-postgres';
import { freePortSync } from '../support/free-port-sync';
import { describeMachine } from '../support/machine';
import { writeMarkdownSection } from '../support/markdown-section';
import { measure } from '../support/measure';

const root = process.cwd();
const outDir = join(root, 'bench', 'out');
const mainJs = join(root, 'dist', 'src', 'main.js');
const TOKEN = 'bench-admin-token-0123456789';
const WRITES_IN_FLIGHT = 4;
const BASELINE_MS = 3000;
const AFTER_MS = 3000;
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '5' },
    rate: { type: 'string', default: '250' },
    readers: { type: 'string', default: '50' },
    'read-rate': { type: 'string', default: '500' },
    jobs: { type: 'string', default: '2' },
  },
});
const rows = Number(values.rows);
const rounds = Number(values.rounds);
const rate = Number(values.rate);
const readers = Number(values.readers);
const readRate = Number(values['read-rate']);
const jobs = values.jobs;

interface Service {
  baseUrl: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startService(env: Record<string, string>): Promise<Service> {
  const port = freePortSync();
  const child = spawn(process.execPath, [mainJs], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      // Production refuses a PostgreSQL without TLS, which the bench server is.
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      SCHEDULER_ENABLED: 'false',
      ADMIN_TOKEN: TOKEN,
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    try {
      if ((await fetch(`${baseUrl}/health/ready`)).ok) return { baseUrl, child, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(`the service did not become ready (exit code ${child.exitCode})`);
}

const post = (url: string, body: unknown): Promise<Response> =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** The service's own schema on an SQLite file, one source and --rows entries of it. */
async function buildSeed(file: string): Promise<number> {
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  const service = await startService({ DATABASE_URL: `sqlite://${file}` });
  let sourceId: number;
  try {
    const res = await post(`${service.baseUrl}/sources`, { name: 'feed', url: 'https://example.com/rss' });
    sourceId = ((await res.json()) as { id: number }).id;
    const first = await post(`${service.baseUrl}/entries`, {
      sourceId,
      title: 'seed 0',
      body: 'An entry of the seed, long enough to look like a summary of an article in a feed.',
      publishedAt: '2026-12-01T10:00:00Z',
    });
    if (first.status !== 201) throw new Error(`seed entry: ${first.status} ${await first.text()}`);
  } finally {
    await service.stop();
  }
  const db = new Database(file);
  try {
    const cols = (db.prepare('PRAGMA table_info(entries)').all() as { name: string }[])
      .map((c) => c.name)
      .filter((c) => c !== 'id');
    const select = cols.map((c) => (c === 'title' ? `'seed ' || n.i` : `e."${c}"`)).join(', ');
    db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows - 1})
      INSERT INTO entries (${cols.map((c) => `"${c}"`).join(', ')}) SELECT ${select} FROM n, entries e WHERE e.id = 1`);
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return sourceId;
}

interface Clients {
  stop(): Promise<{
    acknowledged: Map<number, string>;
    writeErrors: string[];
    readErrors: string[];
    reads: number;
    slowestWriteMs: number;
    /** Writes over 250 ms, with when they were sent (seconds after the clients started; the tool starts at 1 s). */
    slowWrites: { sentAtSeconds: number; ms: number }[];
    writesPerSecond: number;
    /** Acknowledged writes a second before the tool ran, while it ran, and after (on PostgreSQL). */
    rates(toolStart: number, toolEnd: number): { before: number; during: number; after: number };
  }>;
  /** Milliseconds since the clients started. */
  elapsed(): number;
}

/** The writer (paced at --rate) and the readers (paced at --read-rate in all), until stopped. */
function startClients(baseUrl: string, sourceId: number): Clients {
  let running = true;
  const acknowledged = new Map<number, string>();
  const writeErrors: string[] = [];
  const readErrors: string[] = [];
  let reads = 0;
  let slowestWriteMs = 0;
  const slowWrites: { sentAtSeconds: number; ms: number }[] = [];
  const started = Date.now();
  const ackedAt: number[] = [];
  const startedPerf = performance.now();
  // The writer keeps up to WRITES_IN_FLIGHT requests open, each stream paced at its share of --rate,
  // so one slow answer does not hold the rate down.
  const writer = async (stream: number): Promise<void> => {
    for (let i = 0; running; i++) {
      const title = `live ${stream}.${i}`;
      const t0 = performance.now();
      try {
        const res = await post(`${baseUrl}/entries`, {
          sourceId,
          title,
          body: 'written during the online migration',
          publishedAt: '2026-12-04T10:00:00Z',
        });
        if (res.status === 201) {
          acknowledged.set(((await res.json()) as { id: number }).id, title);
          ackedAt.push(Date.now() - started);
        } else writeErrors.push(`POST ${res.status}: ${(await res.text()).slice(0, 200)}`);
      } catch (error) {
        writeErrors.push(`POST: ${(error as Error).message}`);
      }
      const took = performance.now() - t0;
      slowestWriteMs = Math.max(slowestWriteMs, took);
      if (took > 250) slowWrites.push({ sentAtSeconds: (t0 - startedPerf) / 1000, ms: Math.round(took) });
      const due = started + ((i + 1) * 1000 * WRITES_IN_FLIGHT) / rate;
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
    }
  };
  const reader = async (n: number): Promise<void> => {
    const interval = (readers * 1000) / readRate;
    for (let i = 0; running; i++) {
      const path = (i + n) % 2 === 0 ? '/entries?limit=20' : `/sources/${sourceId}`;
      try {
        const res = await fetch(`${baseUrl}${path}`);
        await res.arrayBuffer();
        reads++;
        if (res.status !== 200) readErrors.push(`GET ${path} ${res.status}`);
      } catch (error) {
        readErrors.push(`GET ${path}: ${(error as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, interval));
    }
  };
  const all = [
    ...Array.from({ length: WRITES_IN_FLIGHT }, (_x, n) => writer(n)),
    ...Array.from({ length: readers }, (_x, n) => reader(n)),
  ];
  return {
    elapsed: () => Date.now() - started,
    async stop() {
      running = false;
      await Promise.all(all);
      const seconds = (Date.now() - started) / 1000;
      return {
        acknowledged,
        writeErrors,
        readErrors,
        reads,
        slowestWriteMs,
        slowWrites,
        writesPerSecond: acknowledged.size / seconds,
        rates: (toolStart: number, toolEnd: number) => {
          const end = seconds * 1000;
          const rate = (a: number, b: number) =>
            ackedAt.filter((t) => t >= a && t < b).length / ((b - a) / 1000);
          return { before: rate(0, toolStart), during: rate(toolStart, toolEnd), after: rate(toolEnd, end) };
        },
      };
    },
  };
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

interface Round {
  onlineSeconds: number;
  toolPauseMs: number;
  serviceHeldMs: number;
  slowestWriteMs: number;
  catchUpChanges: number;
  catchUpSeconds: number;
  acknowledged: number;
  writesPerSecond: number;
  rates: { before: number; during: number; after: number };
  reads: number;
  writeErrors: number;
  readErrors: number;
  lost: number;
  altered: number;
  extra: number;
  verified: boolean;
  /** The first few error messages, for the record. */
  errors: string[];
  slowWrites: { sentAtSeconds: number; ms: number }[];
}

/** The seed is reused when a previous run left it complete. */
function seedIsComplete(file: string): boolean {
  if (!existsSync(file)) return false;
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n === rows;
  } finally {
    db.close();
  }
}

async function round(
  template: string,
  sourceId: number,
  pgServer: { createDatabase(n: string): Promise<string> },
): Promise<Round> {
  const work = join(outDir, `online-service-${rows}.sqlite`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(work + suffix, { force: true });
  copyFileSync(template, work);
  const url = await pgServer.createDatabase('svc');
  // The PostgreSQL schema comes from the service's own migrations, as in the runbook.
  await (await startService({ DATABASE_URL: url })).stop();
  const service = await startService({ DATABASE_URL: `sqlite://${work}`, CUTOVER_DATABASE_URL: url });
  try {
    const clients = startClients(service.baseUrl, sourceId);
    // Three seconds of the service on SQLite under the same clients, without the tool: the baseline rate.
    await new Promise((r) => setTimeout(r, BASELINE_MS));
    const toolStart = clients.elapsed();
    const report = join(outDir, 'online-service.report.json');
    const online = await measure(
      process.execPath,
      [
        mainJs,
        'migrate',
        '--online',
        '--jobs',
        jobs,
        '--source',
        work,
        '--target',
        url,
        '--service',
        service.baseUrl,
        '--report',
        report,
      ],
      { ...process.env, ADMIN_TOKEN: TOKEN },
    );
    const toolEnd = clients.elapsed();
    // Writes go on for a while after the switch, on PostgreSQL now.
    await new Promise((r) => setTimeout(r, AFTER_MS));
    const seen = await clients.stop();
    if (online.exitCode !== 0) throw new Error(`online migrate failed:\n${online.output.slice(-3000)}`);
    const json = JSON.parse(readFileSync(report, 'utf8')) as {
      online: {
        cutover: { pauseMs: number; service?: { heldMs: number } };
        catchUp: { changes: number; seconds: number };
      };
    };
    const ids = [...seen.acknowledged.keys()];
    const stored = await query<{ id: string; title: string }>(
      url,
      'SELECT id::text AS id, title FROM entries WHERE id = ANY($1::bigint[])',
      [ids],
    );
    const titles = new Map(stored.map((r) => [Number(r.id), r.title]));
    const lost = ids.filter((id) => !titles.has(id)).length;
    const altered = ids.filter((id) => titles.has(id) && titles.get(id) !== seen.acknowledged.get(id)).length;
    const [total] = await query<{ n: string }>(url, 'SELECT count(*)::text AS n FROM entries');
    const extra = Number(total?.n ?? 0) - rows - ids.length;
    // The frozen file holds what was written before the cut-over; what came after is only in PostgreSQL.
    const frozen = new Database(work, { readonly: true });
    const lastOnSqlite = (frozen.prepare('SELECT max(id) AS m FROM entries').get() as { m: number }).m;
    frozen.close();
    await query(url, 'DELETE FROM entries WHERE id > $1', [lastOnSqlite]);
    const verify = await measure(process.execPath, [
      mainJs,
      'migrate',
      'verify',
      '--source',
      work,
      '--target',
      url,
      '--report',
      join(outDir, 'online-service-verify.json'),
    ]);
    return {
      onlineSeconds: online.wallSeconds,
      toolPauseMs: json.online.cutover.pauseMs,
      serviceHeldMs: json.online.cutover.service?.heldMs ?? NaN,
      slowestWriteMs: seen.slowestWriteMs,
      catchUpChanges: json.online.catchUp.changes,
      catchUpSeconds: json.online.catchUp.seconds,
      acknowledged: ids.length,
      writesPerSecond: seen.writesPerSecond,
      rates: seen.rates(toolStart, toolEnd),
      reads: seen.reads,
      writeErrors: seen.writeErrors.length,
      readErrors: seen.readErrors.length,
      lost,
      altered,
      extra,
      verified: verify.exitCode === 0,
      errors: [...seen.writeErrors, ...seen.readErrors].slice(0, 5),
      slowWrites: seen.slowWrites.slice(0, 20),
    };
  } finally {
    await service.stop();
  }
}

async function main(): Promise<void> {
  const template = join(outDir, `service-seed-${rows}.sqlite`);
  const pgServer = await startBenchPostgres(freePortSync());
  const results: Round[] = [];
  try {
    // The seed's one source is the first row of an empty table.
    const sourceId = seedIsComplete(template) ? 1 : await buildSeed(template);
    for (let n = 1; n <= rounds; n++) {
      const r = await round(template, sourceId, pgServer);
      results.push(r);
      console.log(`round ${n}: ${JSON.stringify(r)}`);
    }
  } finally {
    await pgServer.stop();
  }
  const f = (n: number, d = 2) => n.toFixed(d);
  const lines = [
    `### Online cut-over of the running service: ${rows.toLocaleString('en-US')} entries, a writer at ${rate} requests/s, ${readers} reader connections (${new Date().toISOString().slice(0, 10)})`,
    '',
    `\`npm run bench:online-service -- --rows ${rows} --rounds ${rounds} --rate ${rate} --readers ${readers} --read-rate ${readRate} --jobs ${jobs}\`: the service runs on SQLite (WAL) with \`CUTOVER_DATABASE_URL\` set; one client POSTs /entries at ${rate}/s (${WRITES_IN_FLIGHT} requests in flight) and ${readers} connections GET /entries and /sources/:id at ${readRate}/s in all, from 3 s before \`migrate --online --service\` (the baseline: the service on SQLite under the same clients, without the tool) until 3 s after it ends (on PostgreSQL). "Longest write" is the slowest POST of the round (held at the gate through the cut-over, answered from PostgreSQL). Lost, altered and extra are counted on PostgreSQL against the 201 answers; verify runs on the target without the writes made after the switch. Machine: ${describeMachine()}.`,
    '',
    '| round | online migrate (s) | tool pause (ms) | service held writes (ms) | longest write (ms) | changes caught up | catch-up (s) | writes acknowledged | writes/s before / during / after the tool | reads | write errors | read errors | lost | altered | extra | verify |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r, i) =>
        `| ${i + 1} | ${f(r.onlineSeconds)} | ${r.toolPauseMs} | ${r.serviceHeldMs} | ${f(r.slowestWriteMs, 0)} | ${r.catchUpChanges} | ${f(r.catchUpSeconds)} | ${r.acknowledged} | ${f(r.rates.before, 0)} / ${f(r.rates.during, 0)} / ${f(r.rates.after, 0)} | ${r.reads} | ${r.writeErrors} | ${r.readErrors} | ${r.lost} | ${r.altered} | ${r.extra} | ${r.verified ? 'passed' : 'FAILED'} |`,
    ),
    '',
    `Worst over ${rounds} cut-overs: longest write ${f(Math.max(...results.map((r) => r.slowestWriteMs)), 0)} ms, service held writes ${Math.max(...results.map((r) => r.serviceHeldMs))} ms; errors ${results.reduce((n, r) => n + r.writeErrors + r.readErrors, 0)}; lost ${results.reduce((n, r) => n + r.lost, 0)}, altered ${results.reduce((n, r) => n + r.altered, 0)}, extra ${results.reduce((n, r) => n + r.extra, 0)}.`,
  ];
  const body = lines.join('\n');
  console.log(`\n${body}`);
  writeMarkdownSection(join(root, 'docs', 'benchmarks.md'), `online-service-${rows}`, body);
}

void main();
