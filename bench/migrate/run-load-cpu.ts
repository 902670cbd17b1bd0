// npm run bench:load-cpu -- [--rows 250000] [--repeat 3]
// The Node side of the load on its own: one rowid chunk of the benchmark's `events` table read from
// SQLite, converted and turned into COPY data exactly as a load thread does, without PostgreSQL.
// CPU and wall time per row, with and without the source digests verification needs, printed and
// recorded in docs/benchmarks.md. Runs on the main thread with Node's default heap (the load threads
// have a smaller young generation), so compare runs of this script with each other.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { copyBatches } from '../../src/data-migration/load/copy-batches';
import { buildPlan } from '../../src/data-migration/plan/migration-plan';
import { RawTextReader } from '../../src/data-migration/source/source-reader';
import { readSqliteSchema } from '../../src/data-migration/source/sqlite-schema';
import { SourceDigestBuilder } from '../../src/data-migration/verify/source-digest';
import { describeMachine } from '../support/machine';
import { writeMarkdownSection } from '../support/markdown-section';
import { generateBenchDatabase } from './generate-sqlite';

function main(): void {
  const { values } = parseArgs({
    options: { rows: { type: 'string', default: '250000' }, repeat: { type: 'string', default: '3' } },
  });
  const rows = Number(values.rows);
  const outDir = join(process.cwd(), 'bench', 'out');
  mkdirSync(outDir, { recursive: true });
  // The chunk is the first `rows` rows of the 1M-row benchmark database (generated when missing).
  const file = join(outDir, 'bench-1000000.sqlite');
  generateBenchDatabase(file, 1_000_000);
  const db = new Database(file, { readonly: true });
  const raw = new RawTextReader(file);
  const plan = buildPlan(db, readSqliteSchema(db), new Map(), { skipTables: [] });
  const table = plan.tables.find((t) => t.name === 'events');
  if (!table) throw new Error('no events table in the benchmark database');
  const chunk = { index: 0, lo: 1n, hi: BigInt(rows), rows };

  const lines: string[] = [];
  for (const digest of [false, true]) {
    for (let r = 0; r < Number(values.repeat); r++) {
      const builder = digest ? new SourceDigestBuilder(table, chunk) : undefined;
      const tally = { written: 0, rejected: 0 };
      let bytes = 0;
      const cpu = process.cpuUsage();
      const started = process.hrtime.bigint();
      const batches = copyBatches(
        {
          db,
          raw,
          onError: 'stop',
          orphans: undefined,
          // As the load does: a run that verifies writes every value as PostgreSQL prints it.
          trusted: !digest,
          digest: builder,
          onRows: () => undefined,
          aborted: () => false,
        },
        table,
        chunk,
        tally,
      );
      for (const b of batches) bytes += b.text?.length ?? 0;
      const wallUs = Number(process.hrtime.bigint() - started) / 1000;
      const used = process.cpuUsage(cpu);
      const line =
        `| ${digest ? 'COPY data and source digest' : 'COPY data only'} | ` +
        `${((used.user + used.system) / tally.written).toFixed(2)} | ${(wallUs / tally.written).toFixed(2)} | ${(bytes / 1e6).toFixed(1)} |`;
      console.log(line);
      lines.push(line);
    }
  }
  raw.close();
  db.close();
  const body = [
    `### Load CPU per row: one ${rows.toLocaleString('en-US')}-row chunk of \`events\`, no PostgreSQL (${new Date().toISOString().slice(0, 10)})`,
    '',
    `Machine: ${describeMachine()}. Each line is one pass over the chunk (reading SQLite, converting, building COPY text).`,
    '',
    '| work | CPU µs/row | wall µs/row | COPY data (MB) |',
    '|---|---:|---:|---:|',
    ...lines,
    '',
    `Reproduce: \`npm run bench:load-cpu -- --rows ${rows}\``,
  ].join('\n');
  writeMarkdownSection(resolve(process.cwd(), 'docs', 'benchmarks.md'), 'bench:load-cpu', body);
}

main();
