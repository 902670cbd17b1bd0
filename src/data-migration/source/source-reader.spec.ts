import Database from 'better-sqlite3';
import { buildPlan } from '../plan/migration-plan';
import { chunkRows } from './source-reader';
import { readSqliteSchema } from './sqlite-schema';

describe('chunkRows (rows of a chunk, read in batches by rowid)', () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  db.exec('CREATE TABLE k (a TEXT, b INTEGER)');
  // Sparse rowids across several read batches, with both extremes of the rowid range.
  const ids = [-9223372036854775808n, -5n, ...Array.from({ length: 5000 }, (_v, i) => BigInt(i * 3 + 1))];
  ids.push(1n << 62n, 9223372036854775807n);
  const insert = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
  for (const id of ids) insert.run(id, `v${id}`);
  db.prepare('INSERT INTO k VALUES (?, ?)').run('x', 1);
  db.prepare('INSERT INTO k VALUES (?, ?)').run('y', 2);
  const plan = buildPlan(db, readSqliteSchema(db), new Map(), { skipTables: [] });
  const table = (name: string) => {
    const t = plan.tables.find((p) => p.name === name);
    if (!t) throw new Error(`no table ${name}`);
    return t;
  };
  const read = (name: string, lo: bigint | null, hi: bigint | null) =>
    [...chunkRows(db, table(name), { index: 0, lo, hi, rows: 0 })].map((r) => r[0]);

  afterAll(() => db.close());

  it('reads every row of an open-ended chunk once, in rowid order', () => {
    expect(read('t', null, null)).toEqual(ids);
  });

  it('keeps to the chunk bounds, inclusive', () => {
    expect(read('t', 4n, 6103n)).toEqual(ids.filter((id) => id >= 4n && id <= 6103n));
    expect(read('t', null, -5n)).toEqual(ids.slice(0, 2));
    expect(read('t', 1n << 62n, null)).toEqual(ids.slice(-2));
  });

  it('reads a table by its own rowid, with its values', () => {
    const rows = [...chunkRows(db, table('k'), { index: 0, lo: null, hi: null, rows: 0 })];
    expect(rows).toEqual([
      [1n, 'x', 1n],
      [2n, 'y', 2n],
    ]);
  });
});
