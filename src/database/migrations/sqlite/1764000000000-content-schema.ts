import type { MigrationInterface, QueryRunner } from 'typeorm';

// Instants are UTC text `YYYY-MM-DD HH:MM:SS.SSS`: what TypeORM writes for a Date and reads back as the
// same instant, and what this default produces for rows inserted without one.
const NOW = `(strftime('%Y-%m-%d %H:%M:%f', 'now'))`;

/**
 * The domain schema, structurally the same as the PostgreSQL migration of the same name. AUTOINCREMENT
 * keeps deleted ids from being reused (sqlite_sequence), as a PostgreSQL identity does.
 */
export class ContentSchema1764000000000 implements MigrationInterface {
  name = 'ContentSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sources (
        id integer PRIMARY KEY AUTOINCREMENT NOT NULL,
        name varchar(200) NOT NULL,
        url varchar(2048) NOT NULL,
        is_active boolean NOT NULL DEFAULT (1),
        created_at datetime NOT NULL DEFAULT ${NOW},
        CONSTRAINT sources_name_key UNIQUE (name)
      )`);
    await q.query(`
      CREATE TABLE entries (
        id integer PRIMARY KEY AUTOINCREMENT NOT NULL,
        source_id integer NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
        title varchar(500) NOT NULL,
        body text NOT NULL,
        url varchar(2048),
        published_at datetime NOT NULL,
        score numeric(10, 2) NOT NULL DEFAULT (0),
        tags json NOT NULL DEFAULT ('[]') CHECK (json_valid(tags)),
        created_at datetime NOT NULL DEFAULT ${NOW},
        CONSTRAINT entries_url_key UNIQUE (url)
      )`);
    await q.query('CREATE INDEX idx_entries_published_at ON entries (published_at, id)');
    await q.query('CREATE INDEX idx_entries_source_published_at ON entries (source_id, published_at, id)');
    await q.query(`
      CREATE TABLE subscribers (
        id integer PRIMARY KEY AUTOINCREMENT NOT NULL,
        email varchar(320) NOT NULL,
        name varchar(200) NOT NULL,
        is_active boolean NOT NULL DEFAULT (1),
        created_at datetime NOT NULL DEFAULT ${NOW},
        CONSTRAINT subscribers_email_key UNIQUE (email)
      )`);
    await q.query(`
      CREATE TABLE subscriptions (
        subscriber_id integer NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
        source_id integer NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
        created_at datetime NOT NULL DEFAULT ${NOW},
        PRIMARY KEY (subscriber_id, source_id)
      )`);
    await q.query('CREATE INDEX idx_subscriptions_source_id ON subscriptions (source_id)');
    await q.query(`
      CREATE TABLE digests (
        id integer PRIMARY KEY AUTOINCREMENT NOT NULL,
        subscriber_id integer NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
        digest_date date NOT NULL,
        entry_count integer NOT NULL,
        generated_at datetime NOT NULL,
        CONSTRAINT digests_subscriber_id_digest_date_key UNIQUE (subscriber_id, digest_date)
      )`);
    await q.query('CREATE INDEX idx_digests_digest_date ON digests (digest_date)');
    await q.query(`
      CREATE TABLE digest_entries (
        digest_id integer NOT NULL REFERENCES digests (id) ON DELETE CASCADE,
        entry_id integer NOT NULL REFERENCES entries (id),
        position integer NOT NULL,
        PRIMARY KEY (digest_id, entry_id)
      )`);
    await q.query('CREATE INDEX idx_digest_entries_entry_id ON digest_entries (entry_id)');
    await q.query(`
      CREATE TABLE job_runs (
        id integer PRIMARY KEY AUTOINCREMENT NOT NULL,
        job_name varchar(100) NOT NULL,
        scheduled_for datetime NOT NULL,
        started_at datetime NOT NULL,
        finished_at datetime,
        status varchar(20) NOT NULL,
        error text,
        details json NOT NULL DEFAULT ('{}') CHECK (json_valid(details)),
        CONSTRAINT job_runs_status_check CHECK (status IN ('running', 'succeeded', 'failed', 'skipped')),
        CONSTRAINT job_runs_job_name_scheduled_for_key UNIQUE (job_name, scheduled_for)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'job_runs',
      'digest_entries',
      'digests',
      'subscriptions',
      'subscribers',
      'entries',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query('DROP TABLE sources');
  }
}
