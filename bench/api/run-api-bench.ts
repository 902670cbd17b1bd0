// npm run bench:api -- [--duration 10] [--entries 5000]
// The same build and the same data on SQLite and on PostgreSQL 16: start-up time to ready, then
// autocannon at 1 and 50 connections on GET /entries (a time-range page) and POST /entries.
// Results go to docs/benchmarks.md.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { startBenchPostgres } from '../support/bench-postgres';
import { freePortSync } from '../support/free-port-sync';
import { describeMachine } from '../support/machine';
import { writeMarkdownSection } from '../support/markdown-section';

const root = process.cwd();
const mainJs = join(root, 'dist', 'src', 'main.js');
const DAY_MS = 86_400_000;
const FIRST_DAY = Date.UTC(2026, 9, 1);

interface LoadResult {
  dialect: string;
  scenario: string;
  connections: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

async function startServer(
  databaseUrl: string,
): Promise<{ child: ChildProcess; baseUrl: string; readyMs: number }> {
  const port = freePortSync();
  const started = Date.now();
  const child = spawn(process.execPath, [mainJs], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      SCHEDULER_ENABLED: 'false',
      NODE_ENV: 'development',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  while (Date.now() - started < 30_000) {
    try {
      if ((await fetch(`${baseUrl}/health/ready`)).ok)
        return { child, baseUrl, readyMs: Date.now() - started };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  child.kill('SIGKILL');
  throw new Error(`server on ${databaseUrl.replace(/:[^:@/]*@/, ':***@')} not ready within 30 s`);
}

async function post(url: string, body: unknown): Promise<{ id: number | string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${url} → ${res.status}: ${await res.text()}`);
  return (await res.json()) as { id: number | string };
}

function entry(sourceId: number | string, i: number, tag: string) {
  return {
    sourceId,
    title: `Entry ${tag} ${i}`,
    body: `Body of entry ${i}: some text, émoji 🚀 and 漢字 to keep it honest.`,
    url: `https://example.com/${tag}/${i}`,
    publishedAt: new Date(FIRST_DAY + ((i * 7919) % 30) * DAY_MS + (i % 86_400) * 1000).toISOString(),
    score: (i % 1000) / 10,
    tags: ['bench', `t${i % 7}`],
  };
}

async function seed(baseUrl: string, entries: number): Promise<number | string> {
  const source = await post(`${baseUrl}/sources`, { name: 'bench source', url: 'https://example.com/feed' });
  for (let start = 0; start < entries; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, entries - start) }, (_, k) =>
      entry(source.id, start + k, 'seed'),
    );
    await post(`${baseUrl}/entries`, batch);
  }
  return source.id;
}

async function load(baseUrl: string, opts: Omit<autocannon.Options, 'url'>): Promise<autocannon.Result> {
  return autocannon({ ...opts, url: baseUrl });
}

async function benchDialect(dialect: string, databaseUrl: string, entries: number, duration: number) {
  const server = await startServer(databaseUrl);
  const results: LoadResult[] = [];
  try {
    const sourceId = await seed(server.baseUrl, entries);
    const from = new Date(FIRST_DAY + 10 * DAY_MS).toISOString();
    const to = new Date(FIRST_DAY + 12 * DAY_MS).toISOString();
    const readPath = `/entries?sourceId=${sourceId}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&limit=50`;
    let counter = 0;
    for (const connections of [1, 50]) {
      const read = await load(server.baseUrl, {
        connections,
        duration,
        requests: [{ method: 'GET', path: readPath }],
      });
      results.push(summarise(dialect, 'GET /entries (time range, 50 per page)', connections, read));
      const write = await load(server.baseUrl, {
        connections,
        duration,
        requests: [
          {
            method: 'POST',
            path: '/entries',
            headers: { 'content-type': 'application/json' },
            setupRequest: (req) => ({
              ...req,
              body: JSON.stringify(entry(sourceId, counter++, `load${connections}`)),
            }),
          },
        ],
      });
      results.push(summarise(dialect, 'POST /entries (one entry)', connections, write));
    }
  } finally {
    await stopServer(server.child);
  }
  return { readyMs: server.readyMs, results };
}

/** Stops the server and waits for it, so its database is never stopped under it. */
async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function summarise(dialect: string, scenario: string, connections: number, r: autocannon.Result): LoadResult {
  console.log(
    `${dialect} ${scenario} c=${connections}: ${r.requests.average} req/s, p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}`,
  );
  return {
    dialect,
    scenario,
    connections,
    requestsPerSecond: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx + r.timeouts,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { duration: { type: 'string', default: '10' }, entries: { type: 'string', default: '5000' } },
  });
  const duration = Number(values.duration);
  const entries = Number(values.entries);
  const pg = await startBenchPostgres(freePortSync());
  const dir = mkdtempSync(join(tmpdir(), 'pgmove-bench-api-'));
  try {
    const sqlite = await benchDialect('SQLite', `sqlite://${join(dir, 'bench.sqlite')}`, entries, duration);
    const postgres = await benchDialect('PostgreSQL 16', await pg.createDatabase('api'), entries, duration);
    const all = [...sqlite.results, ...postgres.results];
    const lines = [
      `### API: ${entries.toLocaleString('en-US')} entries, ${duration} s per run (${new Date().toISOString().slice(0, 10)})`,
      '',
      `Machine: ${describeMachine()}; load generator (autocannon) on the same 2 cores. Start-up to ready: ` +
        `SQLite ${sqlite.readyMs} ms, PostgreSQL ${postgres.readyMs} ms (process spawn → first 200 from /health/ready).`,
      '',
      '| scenario | connections | SQLite req/s | PostgreSQL req/s | SQLite p50 / p99 (ms) | PostgreSQL p50 / p99 (ms) | errors (SQLite / PG) |',
      '|---|---:|---:|---:|---:|---:|---:|',
    ];
    for (const s of sqlite.results) {
      const p = all.find(
        (r) => r.dialect !== 'SQLite' && r.scenario === s.scenario && r.connections === s.connections,
      )!;
      lines.push(
        `| ${s.scenario} | ${s.connections} | ${s.requestsPerSecond.toFixed(0)} | ${p.requestsPerSecond.toFixed(0)} | ` +
          `${s.p50} / ${s.p99} | ${p.p50} / ${p.p99} | ${s.errors} / ${p.errors} |`,
      );
    }
    lines.push('', `Reproduce: \`npm run bench:api -- --duration ${duration} --entries ${entries}\``);
    writeMarkdownSection(resolve(root, 'docs', 'benchmarks.md'), 'bench:api', lines.join('\n'));
    console.log('\n' + lines.join('\n'));
  } finally {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
