import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '../../src/config/app-config';
import { createApp } from '../../src/server';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

describe('health endpoints on PostgreSQL', () => {
  let db: TestDatabase;
  let app: INestApplication;

  beforeAll(async () => {
    db = await createTestDatabase('health');
    app = await createApp(loadConfig({ DATABASE_URL: db.url, NODE_ENV: 'test', LOG_LEVEL: 'silent' }));
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('is ready with the database up and migrations applied', async () => {
    const res = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(res.body.details.database.status).toBe('up');
    expect(res.body.details.schema.status).toBe('up');
  });

  it('reports liveness without touching the database', async () => {
    const res = await request(app.getHttpServer()).get('/health/live').expect(200);
    expect(res.body.status).toBe('ok');
  });

  it('gives every response a request id', async () => {
    const res = await request(app.getHttpServer()).get('/health/live').set('x-request-id', 'abc-123');
    expect(res.headers['x-request-id']).toBe('abc-123');
  });

  it('opens sessions in UTC with UTF-8 and the pool bound from config', async () => {
    const { DataSource } = await import('typeorm');
    const ds = app.get(DataSource);
    const [row] = await ds.query<{ TimeZone: string }[]>('SHOW TimeZone');
    const [enc] = await ds.query<{ client_encoding: string }[]>('SHOW client_encoding');
    expect(row?.TimeZone).toBe('UTC');
    expect(enc?.client_encoding).toBe('UTF8');
    const pool = (ds.driver as unknown as { master: { options: { max: number } } }).master;
    expect(pool.options.max).toBe(20);
  });
});

describe('health endpoints on SQLite (the rollback switch)', () => {
  let dir: string;
  let app: INestApplication;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pgmove-sqlite-'));
    const config = loadConfig({
      DATABASE_URL: `sqlite://${join(dir, 'app.sqlite')}`,
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
    });
    app = await createApp(config);
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is ready', async () => {
    const res = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(res.body.details.database.status).toBe('up');
  });
});
