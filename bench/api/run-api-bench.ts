// npm run bench:api -- [--duration 10] [--entries 5000] [--rounds 1] [--connections 1,50] [--only NAME]
//                      [--cpu-prof DIR] [--no-write]
// The same build and the same data on SQLite and on PostgreSQL 16, both servers up at once: start-up
// time to ready, then autocannon on every read endpoint and on POST /entries at 1 and 50 connections.
// Each (scenario, connections) pair runs on both dialects back to back, the order alternating from round
// to round, so both see the same machine; with --rounds N the medians are reported. Durability is equal:
// SQLite in WAL mode with synchronous=FULL syncs the WAL at every commit, PostgreSQL (stock settings,
// fsync and synchronous_commit on) syncs its WAL at every commit. Results go to docs/benchmarks.md.
// --cpu-prof DIR runs the servers under `node --cpu-prof` (profiles written to DIR/<dialect> at exit).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { startBenchPostgres } from '../support/bench-postgres';
import { freePortSync } from '../support/free-port-sync';
import { describeMachine } from '../support/machine';
import { writeMarkdownSection } from '../support/markdown-section';
import { entry, SCENARIOS, type Seeded } from './api-scenarios';

const root = process.cwd();
const ADMIN_TOKEN = 'bench-admin-token-0123456789';

interface Server {
  dialect: 'SQLite' | 'PostgreSQL';
  child: ChildProcess;
  baseUrl: string;
  readyMs: number;
  seeded?: Seeded;
}

interface Run {
  dialect: Server['dialect'];
  scenario: string;
  connections: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

async function startServer(
  dialect: Server['dialect'],
  databaseUrl: string,
  mainJs: string,
  cpuProfDir?: string,
): Promise<Server> {
  const port = freePortSync();
  const started = Date.now();
  const profiling = cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${join(cpuProfDir, dialect)}`] : [];
  const child = spawn(process.execPath, [...profiling, mainJs], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      SCHEDULER_ENABLED: 'false',
      NODE_ENV: 'development',
      ADMIN_TOKEN,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  while (Date.now() - started < 30_000) {
    try {
      if ((await fetch(`${baseUrl}/health/ready`)).ok)
        return { dialect, child, baseUrl, readyMs: Date.now() - started };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  child.kill('SIGKILL');
  throw new Error(`${dialect} server not ready within 30 s`);
}

async function call<T>(url: string, method: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${url} → ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** The page's source with `entries` entries over 30 days, and a subscriber with one 50-entry digest. */
async function seed(baseUrl: string, entries: number): Promise<Seeded> {
  const post = <T>(path: string, body: unknown) => call<T>(`${baseUrl}${path}`, 'POST', body);
  const source = await post<{ id: number }>('/sources', {
    name: 'bench source',
    url: 'https://example.com/feed',
  });
  const entryIds: number[] = [];
  for (let start = 0; start < entries; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, entries - start) }, (_, k) =>
      entry(source.id, start + k, 'seed'),
    );
    entryIds.push(...(await post<{ id: number }[]>('/entries', batch)).map((e) => e.id));
  }
  const digested = await post<{ id: number }>('/sources', { name: 'digested', url: 'https://example.com/d' });
  const day = Date.UTC(2026, 9, 5, 12);
  await post(
    '/entries',
    Array.from({ length: 50 }, (_, i) => ({
      ...entry(digested.id, i, 'digest'),
      publishedAt: new Date(day + i * 60_000).toISOString(),
    })),
  );
  const subscriber = await post<{ id: number }>('/subscribers', {
    email: 'bench@example.com',
    name: 'Bench',
  });
  await call(`${baseUrl}/subscribers/${subscriber.id}/subscriptions/${digested.id}`, 'PUT');
  await post('/jobs/daily-digest/run', { date: '2026-10-05' });
  const digests = await call<{ id: number; entryCount: number }[]>(
    `${baseUrl}/subscribers/${subscriber.id}/digests`,
    'GET',
  );
  const digest = digests[0];
  if (digest?.entryCount !== 50)
    throw new Error(`seed: expected a 50-entry digest, got ${JSON.stringify(digests)}`);
  return { sourceId: source.id, subscriberId: subscriber.id, digestId: digest.id, entryIds };
}

/** Stops the server and waits for it, so its database is never stopped under it. */
async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      entries: { type: 'string', default: '5000' },
      rounds: { type: 'string', default: '1' },
      connections: { type: 'string', default: '1,50' },
      only: { type: 'string' },
      main: { type: 'string', default: join(root, 'dist', 'src', 'main.js') },
      'cpu-prof': { type: 'string' },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const duration = Number(values.duration);
  const entries = Number(values.entries);
  const rounds = Number(values.rounds);
  const connectionCounts = values.connections.split(',').map(Number);
  const scenarios = SCENARIOS.filter((s) => !values.only || s.name.includes(values.only));
  const cpuProfDir = values['cpu-prof'] ? resolve(values['cpu-prof']) : undefined;
  if (cpuProfDir)
    for (const d of ['SQLite', 'PostgreSQL']) mkdirSync(join(cpuProfDir, d), { recursive: true });

  const pg = await startBenchPostgres(freePortSync());
  const dir = mkdtempSync(join(tmpdir(), 'pgmove-bench-api-'));
  const servers: Server[] = [];
  const runs: Run[] = [];
  try {
    servers.push(
      await startServer('SQLite', `sqlite://${join(dir, 'bench.sqlite')}`, values.main, cpuProfDir),
    );
    servers.push(await startServer('PostgreSQL', await pg.createDatabase('api'), values.main, cpuProfDir));
    for (const server of servers) server.seeded = await seed(server.baseUrl, entries);
    for (let round = 0; round < rounds; round++) {
      for (const scenario of scenarios) {
        for (const connections of connectionCounts) {
          // Alternate which dialect goes first, so neither always runs on the warmer (or busier) machine.
          const order =
            (round + connectionCounts.indexOf(connections)) % 2 === 0 ? servers : [...servers].reverse();
          for (const server of order) {
            const result = await autocannon({
              url: server.baseUrl,
              connections,
              duration,
              requests: scenario.requests(server.seeded!),
            });
            const run: Run = {
              dialect: server.dialect,
              scenario: scenario.name,
              connections,
              requestsPerSecond: result.requests.average,
              p50: result.latency.p50,
              p99: result.latency.p99,
              errors: result.errors + result.non2xx + result.timeouts,
            };
            runs.push(run);
            console.log(
              `round ${round + 1} ${run.dialect} ${run.scenario} c=${connections}: ${run.requestsPerSecond} req/s, ` +
                `p50 ${run.p50} ms, p99 ${run.p99} ms, errors ${run.errors}`,
            );
          }
        }
      }
    }
  } finally {
    for (const server of servers) await stopServer(server.child);
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const pick = (dialect: Run['dialect'], scenario: string, connections: number) =>
    runs.filter((r) => r.dialect === dialect && r.scenario === scenario && r.connections === connections);
  const lines = [
    `### API: ${entries.toLocaleString('en-US')} entries, ${duration} s per run, ${rounds} round(s) (${new Date().toISOString().slice(0, 10)})`,
    '',
    `Machine: ${describeMachine()}; load generator (autocannon) on the same 2 cores. Start-up to ready: ` +
      servers.map((s) => `${s.dialect} ${s.readyMs} ms`).join(', ') +
      ' (process spawn → first 200 from /health/ready). Both servers up at once; each row ran on both ' +
      'dialects back to back, alternating which went first. Durability equal: SQLite WAL with ' +
      '`synchronous=FULL`, PostgreSQL with `fsync` and `synchronous_commit` on (each syncs every commit).' +
      (rounds > 1 ? ' Figures are medians over the rounds; the ratio is of the medians.' : ''),
    '',
    '| scenario | connections | SQLite req/s | PostgreSQL req/s | PG / SQLite | SQLite p50 / p99 (ms) | PostgreSQL p50 / p99 (ms) | errors (SQLite / PG) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const connections of connectionCounts) {
    for (const scenario of scenarios) {
      const s = pick('SQLite', scenario.name, connections);
      const p = pick('PostgreSQL', scenario.name, connections);
      const sr = median(s.map((r) => r.requestsPerSecond));
      const pr = median(p.map((r) => r.requestsPerSecond));
      const latency = (rs: Run[]) => `${median(rs.map((r) => r.p50))} / ${median(rs.map((r) => r.p99))}`;
      const errors = (rs: Run[]) => rs.reduce((n, r) => n + r.errors, 0);
      lines.push(
        `| ${scenario.name} | ${connections} | ${sr.toFixed(0)} | ${pr.toFixed(0)} | ${(pr / sr).toFixed(2)} | ` +
          `${latency(s)} | ${latency(p)} | ${errors(s)} / ${errors(p)} |`,
      );
    }
  }
  const args = `--duration ${duration} --entries ${entries} --rounds ${rounds}`;
  lines.push('', `Reproduce: \`npm run bench:api -- ${args}\``);
  if (!values['no-write'] && !cpuProfDir && !values.only) {
    writeMarkdownSection(resolve(root, 'docs', 'benchmarks.md'), 'bench:api', lines.join('\n'));
  }
  console.log('\n' + lines.join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
