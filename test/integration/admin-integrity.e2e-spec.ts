import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { ADMIN_TOKEN as HARNESS_TOKEN, bootApp, createStore } from '../app/app-harness';
import { FIXTURES, readReport, runMigrate, workDir } from '../data-migration/support/migrate-cli';
import { freePort } from '../support/free-port';
import { type RunningApp, startApp } from '../support/spawn-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { waitUntil } from '../support/wait-until';

const ADMIN_TOKEN = 'integrity-admin-token-0123456789';
const CHECK_WITHIN_MS = 60000;

interface CheckBody {
  id: number;
  status: 'running' | 'passed' | 'failed' | 'error';
  source: string | null;
  startedAt: string;
  finishedAt: string | null;
  progress: Record<string, unknown>;
  result: {
    ok: boolean;
    problems: string[];
    changed: string[];
    migration: { runId: number } | null;
    foreignKeys: { checked: number; notValid: number };
    sequences: { checked: number };
    tables: { table: string; state: string; recordedRows: number | null; rows: number }[];
    verify?: { ok: boolean; problems: string[]; exitCode: number | null };
    error?: string;
  } | null;
}

// Chinook migrated by the built tool in chunks of 1,000 rows (so Track's digest spans 4 chunks), then
// the built service on the same database, as after a cut-over.
describe('GET /admin/integrity on a migrated database', () => {
  let db: TestDatabase;
  let app: RunningApp;
  let admin: pg.Client;
  let source: string;
  let fkOfInvoiceLine: string;

  const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const get = (path: string) => fetch(`${app.baseUrl}${path}`, { headers: auth });

  async function startCheck(query = ''): Promise<CheckBody> {
    const res = await get(`/admin/integrity${query}`);
    const body = (await res.json()) as CheckBody;
    expect([res.status, body.status]).toEqual([202, 'running']);
    return body;
  }

  async function finished(id: number): Promise<CheckBody> {
    const deadline = Date.now() + CHECK_WITHIN_MS;
    while (Date.now() < deadline) {
      const res = await get(`/admin/integrity/${id}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as CheckBody;
      if (body.status !== 'running') return body;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`integrity check ${id} still running after ${CHECK_WITHIN_MS} ms`);
  }

  const check = async (query = ''): Promise<CheckBody> => finished((await startCheck(query)).id);

  beforeAll(async () => {
    db = await createTestDatabase('admin_integrity');
    const dir = workDir('integrity');
    source = join(dir, 'chinook.sqlite');
    copyFileSync(join(FIXTURES, 'sqlite', 'chinook.sqlite'), source);
    const reportPath = join(dir, 'report.json');
    const migrated = await runMigrate([
      '--source',
      source,
      '--target',
      db.url,
      '--chunk-rows',
      '1000',
      '--report',
      reportPath,
    ]);
    expect(migrated.code).toBe(0);
    const created = readReport(reportPath).created;
    fkOfInvoiceLine = created.find((c) => c.kind === 'foreign key' && c.table === 'InvoiceLine')?.name ?? '';
    expect(fkOfInvoiceLine).not.toBe('');
    app = await startApp(
      { DATABASE_URL: db.url, NODE_ENV: 'test', LOG_LEVEL: 'error', SCHEDULER_ENABLED: 'false', ADMIN_TOKEN },
      await freePort(),
    );
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
  }, 120000);
  afterAll(async () => {
    await admin?.end();
    await app?.stop();
    await db?.drop();
  });

  it('needs the admin token', async () => {
    const res = await fetch(`${app.baseUrl}/admin/integrity`);
    expect(res.status).toBe(401);
  });

  it(
    'passes on the database as migrated: every foreign key holds, every sequence is above, every table unchanged',
    async () => {
      const body = await check();
      expect(body.status).toBe('passed');
      expect(body.result?.problems).toEqual([]);
      expect(body.result?.changed).toEqual([]);
      expect(body.result?.tables).toHaveLength(11);
      expect(body.result?.tables.filter((t) => t.state !== 'unchanged')).toEqual([]);
      expect(body.result?.tables.find((t) => t.table === 'Track')).toMatchObject({
        rows: 3503,
        recordedRows: 3503,
      });
      // Chinook's 11 foreign keys and the app's own.
      expect(body.result?.foreignKeys.checked).toBeGreaterThanOrEqual(11);
      expect(body.result?.sequences.checked).toBeGreaterThanOrEqual(11);
    },
    CHECK_WITHIN_MS,
  );

  it(
    'reports a corrupted row as a changed table without the source, and as a failure with it',
    async () => {
      const original = (
        await admin.query<{ name: string }>(`SELECT "Name" AS name FROM "Track" WHERE "TrackId" = 2000`)
      ).rows[0]?.name;
      await admin.query(`UPDATE "Track" SET "Name" = 'corrupted' WHERE "TrackId" = 2000`);
      try {
        const alone = await check();
        expect(alone.status).toBe('passed');
        expect(alone.result?.changed).toEqual(['Track']);

        const withSource = await check(`?source=${encodeURIComponent(source)}`);
        expect(withSource.status).toBe('failed');
        expect(withSource.source).toBe(source);
        expect(withSource.result?.verify?.ok).toBe(false);
        expect(withSource.result?.problems.join('\n')).toMatch(/table Track: content checksum differs/);
      } finally {
        await admin.query(`UPDATE "Track" SET "Name" = $1 WHERE "TrackId" = 2000`, [original]);
      }
      const restored = await check(`?source=${encodeURIComponent(source)}`);
      expect([restored.status, restored.result?.changed, restored.result?.verify?.ok]).toEqual([
        'passed',
        [],
        true,
      ]);
    },
    3 * CHECK_WITHIN_MS,
  );

  it(
    'fails on a dropped constraint, and on an orphan under a NOT VALID foreign key, naming both',
    async () => {
      const definition = (
        await admin.query<{ def: string }>(
          `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = $1`,
          [fkOfInvoiceLine],
        )
      ).rows[0]?.def;
      await admin.query(`ALTER TABLE "InvoiceLine" DROP CONSTRAINT "${fkOfInvoiceLine}"`);
      const dropped = await check();
      expect(dropped.status).toBe('failed');
      expect(dropped.result?.problems.join('\n')).toMatch(
        new RegExp(
          `foreign key ${fkOfInvoiceLine} on InvoiceLine, created by migrate run \\d+, no longer exists`,
        ),
      );

      // Put back NOT VALID over an orphan: PostgreSQL does not check the rows already there.
      const column = /FOREIGN KEY \("(\w+)"\)/.exec(definition ?? '')?.[1] ?? '';
      await admin.query(`UPDATE "InvoiceLine" SET "${column}" = 999999 WHERE "InvoiceLineId" = 5`);
      await admin.query(
        `ALTER TABLE "InvoiceLine" ADD CONSTRAINT "${fkOfInvoiceLine}" ${definition} NOT VALID`,
      );
      try {
        const orphan = await check();
        expect(orphan.status).toBe('failed');
        expect(orphan.result?.foreignKeys.notValid).toBe(1);
        expect(orphan.result?.problems.join('\n')).toMatch(
          new RegExp(
            `foreign key ${fkOfInvoiceLine} on InvoiceLine \\(NOT VALID\\): 1 row\\(s\\) reference no row of \\w+ \\(e.g. ${column} = 999999\\)`,
          ),
        );
      } finally {
        await admin.query(
          `UPDATE "InvoiceLine" SET "${column}" = (SELECT "${column}" FROM "InvoiceLine" WHERE "InvoiceLineId" = 6) WHERE "InvoiceLineId" = 5`,
        );
        await admin.query(`ALTER TABLE "InvoiceLine" VALIDATE CONSTRAINT "${fkOfInvoiceLine}"`);
      }
    },
    3 * CHECK_WITHIN_MS,
  );

  it(
    "fails on a sequence set at or below its column's max, naming the fix",
    async () => {
      await admin.query(`SELECT setval(pg_get_serial_sequence('"Album"', 'AlbumId'), 10)`);
      try {
        const low = await check();
        expect(low.status).toBe('failed');
        expect(low.result?.problems.join('\n')).toMatch(
          /sequence public\."Album_AlbumId_seq" of Album\.AlbumId would hand out 11, not above max\(AlbumId\) = 347/,
        );
      } finally {
        await admin.query(`SELECT setval(pg_get_serial_sequence('"Album"', 'AlbumId'), 347)`);
      }
      const metrics = await (await fetch(`${app.baseUrl}/metrics`)).text();
      expect(metrics).toMatch(/^integrity_check_last_passed 0$/m);
    },
    2 * CHECK_WITHIN_MS,
  );

  it(
    'runs one check at a time: a second while one runs is 409 naming the running one, and shows its progress',
    async () => {
      // A lock on Track holds the check at its first read of it (a foreign key into Track): it is
      // certain to be running while the second request comes.
      const gate = new pg.Client({ connectionString: db.url, application_name: 'pgmove-test-gate' });
      gate.on('error', () => undefined);
      await gate.connect();
      await gate.query('BEGIN');
      await gate.query('LOCK TABLE "Track" IN ACCESS EXCLUSIVE MODE');
      let firstId = 0;
      try {
        firstId = (await startCheck()).id;
        const progressOf = async (): Promise<CheckBody> =>
          (await (await get(`/admin/integrity/${firstId}`)).json()) as CheckBody;
        await waitUntil(
          'the check to report its foreign-key step',
          async () => (await progressOf()).progress.step === 'foreign keys',
          CHECK_WITHIN_MS,
        );
        const second = await get(`/admin/integrity?source=${encodeURIComponent(source)}`);
        const body = (await second.json()) as { code: string; message: string };
        expect([second.status, body.code]).toEqual([409, 'INTEGRITY_BUSY']);
        expect(body.message).toContain(`/admin/integrity/${firstId}`);
        const meanwhile = await progressOf();
        expect([meanwhile.status, meanwhile.result]).toEqual(['running', null]);
      } finally {
        await gate.query('ROLLBACK');
        await gate.end();
      }
      const done = await finished(firstId);
      expect(done.status).toBe('passed');
      const metrics = await (await fetch(`${app.baseUrl}/metrics`)).text();
      expect(metrics).toMatch(/^integrity_check_last_passed 1$/m);
      const again = await check(`?source=${encodeURIComponent(source)}`);
      expect([again.status, again.result?.verify?.ok]).toEqual(['passed', true]);
    },
    3 * CHECK_WITHIN_MS,
  );

  it(
    'marks a check left running by a process that died as error, and starts',
    async () => {
      const { rows } = await admin.query<{ id: number }>(
        `INSERT INTO integrity_runs (status) VALUES ('running') RETURNING id`,
      );
      const dead = rows[0].id;
      const next = await check();
      expect(next.status).toBe('passed');
      const old = (await (await get(`/admin/integrity/${dead}`)).json()) as CheckBody;
      expect([old.status, old.result?.error]).toEqual([
        'error',
        'interrupted: the process running it stopped before it finished',
      ]);
    },
    CHECK_WITHIN_MS,
  );

  it('refuses a source it cannot read, naming it', async () => {
    const res = await get('/admin/integrity?source=/nonexistent/app.sqlite');
    const body = (await res.json()) as { code: string; fields: Record<string, string[]> };
    expect([res.status, body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(body.fields.source?.join()).toMatch(/cannot read \/nonexistent\/app\.sqlite \(ENOENT\)/);
  });
});

describe('GET /admin/integrity on SQLite', () => {
  it('is refused: the check reads PostgreSQL only (and is in the OpenAPI document)', async () => {
    const store = await createStore('sqlite', 'integrity_sqlite');
    const t = await bootApp(store.url);
    try {
      const res = await request(t.app.getHttpServer())
        .get('/admin/integrity')
        .set('authorization', `Bearer ${HARNESS_TOKEN}`);
      expect([res.status, res.body.code]).toEqual([409, 'INTEGRITY_REFUSED']);
      const doc = await request(t.app.getHttpServer()).get('/docs-json').expect(200);
      expect(Object.keys(doc.body.paths)).toEqual(
        expect.arrayContaining(['/admin/integrity', '/admin/integrity/{id}']),
      );
    } finally {
      await t.close();
      await store.drop();
    }
  });
});
