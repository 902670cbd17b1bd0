import Database from 'better-sqlite3';

/**
 * A generated database shaped like the benchmark's: `events` (N rows, FK to a 10,000-row `accounts`
 * table; bigint key, varchar, datetime as ISO text and as epoch seconds, numeric, real, JSON text,
 * a 70-byte note; two indexes).
 */
export function generateSqlite(path: string, rows: number): void {
  const db = new Database(path);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.exec(`
    CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
    WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 10000)
    INSERT INTO accounts SELECT i, 'account ' || i FROM c;
    CREATE TABLE events (
      id INTEGER PRIMARY KEY,
      account_id INTEGER NOT NULL REFERENCES accounts(id),
      name VARCHAR(100) NOT NULL,
      created_at DATETIME NOT NULL,
      amount NUMERIC(12,2),
      score REAL,
      payload JSON,
      note TEXT
    );
    WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${Math.floor(rows)})
    INSERT INTO events SELECT i, (i % 10000) + 1, 'event ' || i,
      CASE WHEN i % 2 = 0 THEN strftime('%Y-%m-%d %H:%M:%S', 1600000000 + i * 37, 'unixepoch') ELSE 1600000000 + i * 37 END,
      round((i % 100000) / 100.0, 2), (i % 1000) / 7.0,
      '{"i": ' || i || ', "tag": "t' || (i % 50) || '"}', printf('%070d', i)
    FROM c;
    CREATE INDEX events_account ON events (account_id);
    CREATE INDEX events_created ON events (created_at);
  `);
  db.close();
}
