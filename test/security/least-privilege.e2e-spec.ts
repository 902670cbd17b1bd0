import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { ADMIN_TOKEN, bootApp, type TestApp } from '../app/app-harness';
import { parsePsqlScript, runPsqlStatements } from '../support/psql-script';
import { type Exited, runToExit } from '../support/spawn-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { testPostgresState } from '../support/test-postgres-state';

const ROLES_SQL = join(process.cwd(), 'docker', 'postgres', 'roles.sql');
// Roles are cluster-wide: a suffix keeps this run's roles apart from any others on the server.
const SUFFIX = randomBytes(3).toString('hex');
const OWNER = `pgmove_owner_${SUFFIX}`;
const APP = `pgmove_app_${SUFFIX}`;
const OWNER_PASSWORD = `owner-${randomBytes(6).toString('hex')}`;
const APP_PASSWORD = `app-${randomBytes(6).toString('hex')}`;

function rolesScript(database: string) {
  const text = readFileSync(ROLES_SQL, 'utf8')
    .replace(/\bpgmove_owner\b/g, OWNER)
    .replace(/\bpgmove_app\b/g, APP);
  return parsePsqlScript(text, { db: database, owner_password: OWNER_PASSWORD, app_password: APP_PASSWORD });
}

describe('least privilege: docker/postgres/roles.sql', () => {
  let db: TestDatabase;
  let appBeforeMigrations: Exited;
  const urlAs = (user: string, password: string): string => {
    const url = new URL(db.url);
    url.username = user;
    url.password = password;
    return url.toString();
  };
  async function asRole<T>(user: string, password: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: urlAs(user, password) });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase('least_privilege');
    const superuser = new pg.Client({ connectionString: db.url });
    await superuser.connect();
    try {
      await runPsqlStatements(superuser, rolesScript(db.name));
      // Applying it twice (a re-run of the deploy step) changes nothing and does not fail.
      await runPsqlStatements(superuser, rolesScript(db.name));
    } finally {
      await superuser.end();
    }
    // The app role cannot apply the schema: started first, it stops and says why.
    appBeforeMigrations = await runToExit({
      DATABASE_URL: urlAs(APP, APP_PASSWORD),
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      SCHEDULER_ENABLED: 'false',
    });
    // The owner role applies the schema, as the deploy step or the first start-up does.
    const owner = await bootApp(urlAs(OWNER, OWNER_PASSWORD));
    await owner.close();
  }, 60000);
  afterAll(async () => {
    await db?.drop();
    const admin = new pg.Client({ connectionString: testPostgresState().adminUrl });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${APP}, ${OWNER}`);
    await admin.end();
  });

  it('reads the psql script into plain statements with the variables quoted', () => {
    const statements = rolesScript(`odd"name`);
    expect(statements.filter((s) => s.kind === 'gexec')).toHaveLength(2);
    expect(statements.every((s) => !s.text.includes('\\') && !/:['"]\w/.test(s.text))).toBe(true);
    expect(statements.map((s) => s.text)).toContain(`REVOKE ALL ON DATABASE "odd""name" FROM PUBLIC;`);
    expect(statements.map((s) => s.text).join('\n')).toContain(`PASSWORD '${APP_PASSWORD}'`);
  });

  it('stops the app role at start-up while schema migrations are pending, naming the permission', () => {
    expect(appBeforeMigrations.code).toBe(1);
    expect(appBeforeMigrations.output).toMatch(/permission denied for schema public/);
    expect(appBeforeMigrations.output).not.toContain(APP_PASSWORD);
  });

  it('lets the owner role own the schema and the app role own nothing', async () => {
    const owners = await asRole(OWNER, OWNER_PASSWORD, (c) =>
      c.query<{ tableowner: string }>(
        `SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'`,
      ),
    );
    expect(owners.rows.map((r) => r.tableowner)).toEqual([OWNER]);
  });

  describe('the app running as the app role', () => {
    let t: TestApp;
    const http = () => request(t.app.getHttpServer());
    beforeAll(async () => {
      t = await bootApp(urlAs(APP, APP_PASSWORD), { now: '2026-11-26T15:00:00Z' });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('serves the API: sources, entries, subscribers, the digest job, updates and deletes', async () => {
      await http().get('/health/ready').expect(200);
      const source = (
        await http().post('/sources').send({ name: 'Least', url: 'https://l.example' }).expect(201)
      ).body as { id: number };
      await http()
        .post('/entries')
        .send([
          { sourceId: source.id, title: 'one', body: 'b', publishedAt: '2026-11-25T10:00:00-06:00' },
          { sourceId: source.id, title: 'two', body: 'b', publishedAt: '2026-11-25T11:00:00-06:00' },
        ])
        .expect(201);
      const page = await http().get('/entries').query({ sourceId: source.id }).expect(200);
      expect((page.body.items as { title: string }[]).map((e) => e.title)).toEqual(['one', 'two']);
      const subscriber = (
        await http().post('/subscribers').send({ email: 'l@example.com', name: 'L' }).expect(201)
      ).body as { id: number };
      await http().put(`/subscribers/${subscriber.id}/subscriptions/${source.id}`).expect(200);

      const run = await http()
        .post('/jobs/daily-digest/run')
        .set('Authorization', `Bearer ${ADMIN_TOKEN}`)
        .send({ date: '2026-11-25' })
        .expect(200);
      expect(run.body).toMatchObject({ status: 'succeeded', details: { digests: 1, entries: 2 } });
      const digests = await http().get(`/subscribers/${subscriber.id}/digests`).expect(200);
      const digest = await http().get(`/digests/${digests.body[0].id}`).expect(200);
      expect((digest.body.entries as { title: string }[]).map((e) => e.title)).toEqual(['one', 'two']);

      await http().patch(`/sources/${source.id}`).send({ isActive: false }).expect(200);
      await http().delete(`/subscribers/${subscriber.id}/subscriptions/${source.id}`).expect(204);
      await http().get('/jobs/runs').query({ job: 'daily-digest' }).expect(200);
    });

    it.each([
      ['DROP TABLE entries', /must be owner/],
      ['DROP TABLE job_runs CASCADE', /must be owner/],
      ['CREATE TABLE x (id int)', /permission denied for schema public/],
      ['ALTER TABLE entries ADD COLUMN x int', /must be owner/],
      ['TRUNCATE entries', /permission denied/],
      ['CREATE SCHEMA other', /permission denied for database/],
      ['CREATE INDEX x ON entries (title)', /must be owner/],
      ['DROP SCHEMA public CASCADE', /must be owner/],
      ['CREATE ROLE intruder', /permission denied/],
    ])('refuses %s to the app role', async (statement, message) => {
      const error = await asRole(APP, APP_PASSWORD, (c) => c.query(statement)).then(
        () => null,
        (e: unknown) => e as { code?: string; message: string },
      );
      expect(error?.message).toMatch(message);
    });

    it('still has every table afterwards', async () => {
      const { rows } = await asRole(OWNER, OWNER_PASSWORD, (c) =>
        c.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`),
      );
      expect(rows[0].n).toBeGreaterThanOrEqual(8);
      await http().get('/entries').expect(200);
    });
  });
});
