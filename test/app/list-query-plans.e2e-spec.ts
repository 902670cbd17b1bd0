import request from 'supertest';
import { pageFilter } from '../../src/content/entries.service';
import { EntriesRepository } from '../../src/database/repositories/entries/entries.repository';
import type { ListEntriesQuery } from '../../src/content/dto/entry.dto';
import { encodeEntryCursor } from '../../src/content/entry-cursor';
import { bootApp, createStore, DIALECTS, type TestApp, type TestStore } from './app-harness';

interface PgPlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PgPlanNode[];
}

function pgNodes(node: PgPlanNode): PgPlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(pgNodes)];
}

const ENTRY_COUNT = 5000;
const SOURCES = 10;

// Every GET /entries shape must read entries through an index, never a full scan of the table.
describe.each(DIALECTS)('GET /entries query plans on %s', (dialect) => {
  let store: TestStore;
  let t: TestApp;

  beforeAll(async () => {
    store = await createStore(dialect, 'list_plans');
    t = await bootApp(store.url);
    const http = () => request(t.app.getHttpServer());
    const sourceIds: number[] = [];
    for (let s = 0; s < SOURCES; s++) {
      sourceIds.push(
        (
          await http()
            .post('/sources')
            .send({ name: `s${s}`, url: 'https://s.example' })
        ).body.id,
      );
    }
    const start = Date.parse('2026-01-01T00:00:00Z');
    for (let offset = 0; offset < ENTRY_COUNT; offset += 1000) {
      const batch = Array.from({ length: 1000 }, (_, k) => {
        const i = offset + k;
        return {
          sourceId: sourceIds[i % SOURCES],
          title: `entry ${i}`,
          body: 'x'.repeat(70),
          publishedAt: new Date(start + i * 37 * 60000).toISOString(),
          tags: ['t'],
        };
      });
      await http().post('/entries').send(batch).expect(201);
    }
    await t.dataSource.query(dialect === 'postgres' ? 'ANALYZE' : 'ANALYZE');
  }, 120000);
  afterAll(async () => {
    await t?.close();
    await store?.drop();
  });

  const shapes: [string, ListEntriesQuery][] = [
    ['first page', {}],
    ['time range', { from: new Date('2026-02-01T00:00:00Z'), to: new Date('2026-02-08T00:00:00Z') }],
    [
      'source and time range',
      { sourceId: 3, from: new Date('2026-02-01T00:00:00Z'), to: new Date('2026-03-01T00:00:00Z') },
    ],
    ['source only', { sourceId: 3 }],
    [
      'next page of a range',
      {
        from: new Date('2026-02-01T00:00:00Z'),
        to: new Date('2026-03-01T00:00:00Z'),
        cursor: encodeEntryCursor({ publishedAt: new Date('2026-02-10T00:00:00Z'), id: 2000 }),
      },
    ],
    [
      'next page of a source',
      { sourceId: 3, cursor: encodeEntryCursor({ publishedAt: new Date('2026-02-10T00:00:00Z'), id: 2000 }) },
    ],
  ];

  it.each(shapes)('%s uses an index on entries', async (_name, query) => {
    const { text: sql, values: parameters } = t.app
      .get(EntriesRepository)
      .pageStatement(pageFilter(query), 50);
    if (dialect === 'postgres') {
      const rows = await t.dataSource.query<{ 'QUERY PLAN': [{ Plan: PgPlanNode }] }[]>(
        `EXPLAIN (FORMAT JSON) ${sql}`,
        parameters,
      );
      const nodes = pgNodes(rows[0]['QUERY PLAN'][0].Plan);
      const onEntries = nodes.filter((n) => n['Relation Name'] === 'entries');
      expect(onEntries.length).toBeGreaterThan(0);
      for (const node of onEntries) {
        expect([node['Node Type'], node['Index Name']]).toEqual([
          expect.stringMatching(/Index|Bitmap Heap/),
          node['Node Type'] === 'Bitmap Heap Scan' ? undefined : expect.stringMatching(/^idx_entries_/),
        ]);
      }
      expect(nodes.some((n) => n['Node Type'] === 'Seq Scan')).toBe(false);
    } else {
      const rows = await t.dataSource.query<{ detail: string }[]>(`EXPLAIN QUERY PLAN ${sql}`, parameters);
      const details = rows.map((r) => r.detail);
      expect(details.length).toBeGreaterThan(0);
      // The table as the query names it (`entries`, or an alias `e`): at least one plan line is about it.
      const onEntries = details.filter((d) => /^(SCAN|SEARCH) (entries|e)\b/.test(d));
      expect(onEntries.length).toBeGreaterThan(0);
      for (const detail of onEntries) {
        expect(detail).toMatch(/USING (COVERING )?INDEX idx_entries_/);
      }
      expect(details.some((d) => /USE TEMP B-TREE/.test(d))).toBe(false);
    }
  });
});
