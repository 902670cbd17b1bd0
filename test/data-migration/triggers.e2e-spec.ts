import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { compareDatabases } from './support/compare-databases';
import { buildSqlite, workDir } from './support/migrate-cli';
import { sameWrite } from './support/same-write';
import { withTarget } from './support/target-client';
import { migrateVerified } from './support/verified-migration';

const ACTORS = `SELECT actor_id, first_name, CASE WHEN last_update > '2020-01-01' THEN 1 ELSE 0 END FROM actor ORDER BY actor_id`;
const FILM_TEXT = `SELECT film_id, title, description FROM film_text ORDER BY film_id`;

/** Per shape: the write, what to read afterwards, whether the write is accepted, and the rows read. */
const SHAPES: { shape: string; write: string; read: string; ok: boolean; rows: (string | null)[][] }[] = [
  {
    shape: 'AFTER INSERT updating its own row (Sakila last_update) → BEFORE setting NEW',
    write: `INSERT INTO actor (actor_id, first_name) VALUES (3, 'ED')`,
    read: ACTORS,
    ok: true,
    rows: [
      ['1', 'PENELOPE', '0'],
      ['2', 'NICK', '0'],
      ['3', 'ED', '1'],
    ],
  },
  {
    shape: 'AFTER UPDATE updating its own row → BEFORE setting NEW',
    write: `UPDATE actor SET first_name = 'PENNY' WHERE actor_id = 1`,
    read: ACTORS,
    ok: true,
    rows: [
      ['1', 'PENNY', '1'],
      ['2', 'NICK', '0'],
    ],
  },
  {
    shape: 'AFTER INSERT inserting into another table (ins_film)',
    write: `INSERT INTO film (film_id, title, description, price) VALUES (3, 'ADAPTATION HOLES', 'A thrilling yarn', 2.99)`,
    read: FILM_TEXT,
    ok: true,
    rows: [
      ['1', 'ACADEMY DINOSAUR', 'A epic drama'],
      ['2', 'ACE GOLDFINGER', 'An astounding epistle'],
      ['3', 'ADAPTATION HOLES', 'A thrilling yarn'],
    ],
  },
  {
    shape: 'AFTER UPDATE updating another table by OLD (upd_film)',
    write: `UPDATE film SET title = 'ACADEMY', film_id = 10 WHERE film_id = 1`,
    read: FILM_TEXT,
    ok: true,
    rows: [
      ['2', 'ACE GOLDFINGER', 'An astounding epistle'],
      ['10', 'ACADEMY', 'A epic drama'],
    ],
  },
  {
    shape: 'AFTER UPDATE OF a column WHEN it changed (audit log)',
    write: `UPDATE film SET price = 1.99 WHERE film_id = 1; UPDATE film SET price = 1.99 WHERE film_id = 1; UPDATE film SET title = 'X' WHERE film_id = 2`,
    read: `SELECT film_id, old_price, new_price FROM price_log ORDER BY id`,
    ok: true,
    rows: [['1', '0.99', '1.99']],
  },
  {
    shape: 'BEFORE DELETE WHEN … RAISE(IGNORE) skips the row; AFTER DELETE deletes from another table',
    write: `DELETE FROM film WHERE film_id IN (1, 2)`,
    read: `SELECT 'film', film_id FROM film UNION ALL SELECT 'film_text', film_id FROM film_text ORDER BY 1, 2`,
    ok: true,
    rows: [
      ['film', '2'],
      ['film_text', '2'],
    ],
  },
  {
    shape: 'BEFORE INSERT SELECT RAISE(ABORT, …) WHERE … refuses',
    write: `INSERT INTO orders (id, qty) VALUES (2, 0)`,
    read: `SELECT id FROM orders ORDER BY id`,
    ok: false,
    rows: [['1']],
  },
  {
    shape: 'BEFORE INSERT SELECT RAISE(…) WHERE … lets a good row through',
    write: `INSERT INTO orders (id, qty) VALUES (2, 5)`,
    read: `SELECT id, qty, status FROM orders ORDER BY id`,
    ok: true,
    rows: [
      ['1', '2', 'new'],
      ['2', '5', 'new'],
    ],
  },
  {
    shape: 'BEFORE UPDATE OF SELECT CASE WHEN … THEN RAISE(FAIL, …) refuses',
    write: `UPDATE orders SET status = 'lost' WHERE id = 1`,
    read: `SELECT status FROM orders`,
    ok: false,
    rows: [['new']],
  },
  {
    shape: 'SELECT CASE … WHEN old … THEN RAISE(ROLLBACK, …) refuses the second branch',
    write: `UPDATE orders SET status = 'sent' WHERE id = 1; UPDATE orders SET status = 'paid' WHERE id = 1`,
    read: `SELECT count(*) FROM orders`,
    ok: false,
    rows: [['1']],
  },
];

describe('migrate: triggers (the common shapes as PL/pgSQL, created after the load)', () => {
  let target: TestDatabase;
  let source: string;
  afterAll(async () => {
    await target.drop();
  });

  it('carries every trigger but the INSTEAD OF one, none firing during the copy', async () => {
    const dir = workDir('triggers');
    source = buildSqlite('triggers.sql', dir);
    target = await createTestDatabase('triggers');
    const report = join(dir, 'report.json');
    const json = await migrateVerified(source, target.url, report, 0);
    expect(json.notCarried).toEqual([
      {
        object: 'film_titles_insert',
        kind: 'trigger',
        reason: 'INSTEAD OF triggers (on views) are not translated',
      },
    ]);
    expect(json.created.filter((s) => s.kind === 'trigger')).toHaveLength(2 * 9);
    // Had a trigger fired during the copy, film_text would hold more rows and last_update would be now.
    expect(await compareDatabases(source, target.url)).toEqual([]);
  });

  it.each(SHAPES)(
    '$shape: the same write has the same effect on both sides',
    async ({ write, read, ok, rows }) => {
      await withTarget(target.url, async (client) => {
        const both = await sameWrite(source, client, write, read);
        expect({ sqlite: both.sqlite.ok, postgres: both.postgres.ok }).toEqual({ sqlite: ok, postgres: ok });
        expect(both.rows).toEqual({ sqlite: rows, postgres: rows });
      });
    },
  );
});
