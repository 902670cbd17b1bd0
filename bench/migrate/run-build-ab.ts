// npm run bench:migrate-ab -- --baseline OTHER/dist/src/main.js [--build THIS/dist/src/main.js] [--label NAME]
//                             [--rows 1000000] [--repeat 3]
// This build's `migrate` against another build's (an older commit checked out and built elsewhere,
// e.g. `git worktree add ../base HEAD~1 && (cd ../base && npm ci && npm run build)`), on one
// PostgreSQL 16, alternating the two in every round so drift of the machine's speed hits both alike.
// Times `migrate --no-verify` and `migrate` (with verification); records medians and every run in
// docs/benchmarks.md under the given label.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { freePortSync } from '../support/free-port-sync';
import { startBenchPostgres } from '../support/bench-postgres';
import { describeMachine } from '../support/machine';
import { writeMarkdownSection } from '../support/markdown-section';
import { measure, type Measured } from '../support/measure';
import { generateBenchDatabase } from './generate-sqlite';

const root = process.cwd();
const { values } = parseArgs({
  options: {
    baseline: { type: 'string' },
    build: { type: 'string' },
    label: { type: 'string', default: 'build-ab' },
    rows: { type: 'string', default: '1000000' },
    repeat: { type: 'string', default: '3' },
  },
});
if (!values.baseline || !existsSync(values.baseline)) {
  console.error('--baseline must name the main.js of another build (e.g. ../base/dist/src/main.js)');
  process.exit(2);
}
const builds = [
  { name: 'baseline', main: resolve(values.baseline) },
  { name: 'this build', main: values.build ? resolve(values.build) : join(root, 'dist', 'src', 'main.js') },
];
const rows = Number(values.rows);
const repeat = Number(values.repeat);
const modes = [
  { name: 'migrate --no-verify', extra: ['--no-verify'] },
  { name: 'migrate', extra: [] as string[] },
];

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

async function main(): Promise<void> {
  const file = join(root, 'bench', 'out', `bench-${rows}.sqlite`);
  generateBenchDatabase(file, rows);
  const pg = await startBenchPostgres(freePortSync());
  const runs = new Map<string, Measured[]>();
  try {
    for (let round = 1; round <= repeat; round++) {
      // Alternate which build goes first, so neither always runs on a warmer cache.
      const order = round % 2 ? builds : [...builds].reverse();
      for (const mode of modes) {
        for (const build of order) {
          const url = await pg.createDatabase('ab');
          const run = await measure(process.execPath, [
            build.main,
            'migrate',
            ...['--source', file, '--target', url, '--report', join(root, 'bench', 'out', 'ab.report.json')],
            ...mode.extra,
          ]);
          if (run.exitCode !== 0)
            throw new Error(`${build.name} ${mode.name} failed:\n${run.output.slice(-3000)}`);
          const key = `${mode.name}|${build.name}`;
          runs.set(key, [...(runs.get(key) ?? []), run]);
          console.log(
            `round ${round}: ${mode.name}, ${build.name}: ${run.wallSeconds.toFixed(2)} s, ${run.peakRssMb.toFixed(0)} MB`,
          );
        }
      }
    }
  } finally {
    await pg.stop();
  }
  const lines = [
    `### Build against build: ${values.label}, ${rows.toLocaleString('en-US')} rows (${new Date().toISOString().slice(0, 10)})`,
    '',
    `\`npm run bench:migrate-ab -- --baseline … --label ${values.label} --rows ${rows} --repeat ${repeat}\`: the two builds alternate within every round. Machine: ${describeMachine()}.`,
    '',
    '| command | baseline (median s) | this build (median s) | ratio | CPU of the command, baseline / this (median s) | peak RSS baseline / this (MB) | every run, baseline; this (s) |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const mode of modes) {
    const [a, b] = builds.map((build) => runs.get(`${mode.name}|${build.name}`) ?? []);
    const wall = (r: Measured[] | undefined) => median((r ?? []).map((x) => x.wallSeconds));
    const rss = (r: Measured[] | undefined) => Math.max(...(r ?? []).map((x) => x.peakRssMb));
    const cpu = (r: Measured[] | undefined) => median((r ?? []).map((x) => x.cpuSeconds));
    const list = (r: Measured[] | undefined) => (r ?? []).map((x) => x.wallSeconds.toFixed(2)).join(', ');
    lines.push(
      `| ${mode.name} | ${wall(a).toFixed(2)} | ${wall(b).toFixed(2)} | ${(wall(b) / wall(a)).toFixed(3)} | ${cpu(a).toFixed(2)} / ${cpu(b).toFixed(2)} | ${rss(a).toFixed(0)} / ${rss(b).toFixed(0)} | ${list(a)}; ${list(b)} |`,
    );
  }
  const body = lines.join('\n');
  console.log(`\n${body}`);
  writeMarkdownSection(join(root, 'docs', 'benchmarks.md'), `ab-${values.label}-${rows}`, body);
}

void main();
