import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export const AUTHOR_ROWS = 10_000;

/** The benchmark schema: a main table with an FK to a 10,000-row table, every common type, two indexes. */
const SCHEMA = `
CREATE TABLE authors (
  id INTEGER PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  created_at DATETIME NOT NULL
);
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  author_id INTEGER NOT NULL REFERENCES authors(id),
  title VARCHAR(120) NOT NULL,
  happened_at DATETIME NOT NULL,
  amount NUMERIC(12,2) NOT NULL,
  ratio REAL,
  payload JSON,
  note TEXT
);
CREATE INDEX events_author_id ON events(author_id);
CREATE INDEX events_happened_at ON events(happened_at);
`;

const WORDS = [
  'alpha',
  'bravo',
  'charlie',
  'delta',
  'echo',
  'foxtrot',
  'golf',
  'hotel',
  'india',
  'juliett',
  'kilo',
];

/** Deterministic pseudo-random numbers, so every run of the benchmark migrates the same bytes. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Writes a benchmark database of `rows` events; reuses an existing file of that size. */
export function generateBenchDatabase(path: string, rows: number): void {
  if (existsSync(path)) return;
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.partial`;
  rmSync(partial, { force: true });
  const db = new Database(partial);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.exec(SCHEMA);
  const random = lcg(42);
  const word = () => WORDS[Math.floor(random() * WORDS.length)];
  const base = Date.UTC(2024, 0, 1);
  const insertAuthor = db.prepare('INSERT INTO authors (id, name, created_at) VALUES (?, ?, ?)');
  const insertEvent = db.prepare(
    'INSERT INTO events (id, author_id, title, happened_at, amount, ratio, payload, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const iso = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
  db.transaction(() => {
    for (let id = 1; id <= AUTHOR_ROWS; id++) {
      insertAuthor.run(id, `Author ${id} ${word()}`, iso(base - Math.floor(random() * 3e10)));
    }
  })();
  const batch = 50_000;
  for (let start = 1; start <= rows; start += batch) {
    db.transaction(() => {
      for (let id = start; id < Math.min(start + batch, rows + 1); id++) {
        const amount = (Math.floor(random() * 10_000_000) / 100).toFixed(2);
        insertEvent.run(
          id,
          1 + Math.floor(random() * AUTHOR_ROWS),
          `${word()} ${word()} event number ${id}`,
          iso(base + Math.floor(random() * 6e10)),
          amount,
          random(),
          JSON.stringify({ kind: word(), level: Math.floor(random() * 5), tags: [word(), word()] }),
          `${word()} ${word()} ${word()} note text for row ${id} with some padding to reach seventy b`.slice(
            0,
            70,
          ),
        );
      }
    })();
  }
  db.close();
  renameSync(partial, path);
}
