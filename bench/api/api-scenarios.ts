import type autocannon from 'autocannon';

const DAY_MS = 86_400_000;
export const FIRST_DAY = Date.UTC(2026, 9, 1);

export function entry(sourceId: number | string, i: number, tag: string) {
  return {
    sourceId,
    title: `Entry ${tag} ${i}`,
    body: `Body of entry ${i}: some text, émoji 🚀 and 漢字 to keep it honest.`,
    url: `https://example.com/${tag}/${i}`,
    publishedAt: new Date(FIRST_DAY + ((i * 7919) % 30) * DAY_MS + (i % 86_400) * 1000).toISOString(),
    score: (i % 1000) / 10,
    tags: ['bench', `t${i % 7}`],
  };
}

/** What the seed left behind for the scenarios to read. */
export interface Seeded {
  sourceId: number;
  subscriberId: number;
  digestId: number;
  entryIds: number[];
}

export interface Scenario {
  name: string;
  kind: 'read' | 'write';
  requests: (seeded: Seeded) => autocannon.Request[];
}

let written = 0;

/** Every endpoint bench:api measures, reads first. */
export const SCENARIOS: Scenario[] = [
  {
    name: 'GET /entries (source + time range, 50 per page)',
    kind: 'read',
    requests: ({ sourceId }) => {
      const from = new Date(FIRST_DAY + 10 * DAY_MS).toISOString();
      const to = new Date(FIRST_DAY + 12 * DAY_MS).toISOString();
      const path = `/entries?sourceId=${sourceId}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&limit=50`;
      return [{ method: 'GET', path }];
    },
  },
  {
    name: 'GET /entries/:id',
    kind: 'read',
    requests: ({ entryIds }) => {
      let i = 0;
      return [
        {
          method: 'GET',
          setupRequest: (req) => ({ ...req, path: `/entries/${entryIds[i++ % entryIds.length]}` }),
        },
      ];
    },
  },
  {
    name: 'GET /sources/:id',
    kind: 'read',
    requests: ({ sourceId }) => [{ method: 'GET', path: `/sources/${sourceId}` }],
  },
  {
    name: 'GET /subscribers/:id/digests',
    kind: 'read',
    requests: ({ subscriberId }) => [{ method: 'GET', path: `/subscribers/${subscriberId}/digests` }],
  },
  {
    name: 'GET /digests/:id (50 entries)',
    kind: 'read',
    requests: ({ digestId }) => [{ method: 'GET', path: `/digests/${digestId}` }],
  },
  {
    name: 'POST /entries (one entry)',
    kind: 'write',
    requests: ({ sourceId }) => [
      {
        method: 'POST',
        path: '/entries',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: JSON.stringify(entry(sourceId, written++, 'load')) }),
      },
    ],
  },
];
