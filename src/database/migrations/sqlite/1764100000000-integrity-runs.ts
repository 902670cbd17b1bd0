import type { MigrationInterface, QueryRunner } from 'typeorm';

/** integrity_runs, as on PostgreSQL (the check itself runs on PostgreSQL only). */
export class IntegrityRuns1764100000000 implements MigrationInterface {
  name = 'IntegrityRuns1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE integrity_runs (
        id integer PRIMARY KEY,
        started_at datetime NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        finished_at datetime,
        source text,
        status varchar(16) NOT NULL CHECK (status IN ('running', 'passed', 'failed', 'error')),
        progress text NOT NULL DEFAULT '{}',
        result text
      )`);
    await q.query(
      `CREATE UNIQUE INDEX integrity_runs_one_running ON integrity_runs (status) WHERE status = 'running'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE integrity_runs');
  }
}
