import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { makeConverter } from '../../src/data-migration/convert/value-converter';
import type { SqliteValue } from '../../src/data-migration/model/plan';
import { copyLine } from '../../src/data-migration/load/copy-text';
import type { TargetType } from '../../src/data-migration/model/target-type';
import { readBack } from '../../src/data-migration/verify/copy-digest';
import { READBACK_SESSION } from '../../src/data-migration/target/sessions';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

// Verification compares the COPY text the load sends with the COPY text PostgreSQL gives back for
// the stored rows, so each converter must write exactly what PostgreSQL's output function prints.
// Every value here goes in by COPY and is read back; a converter that spells a value differently
// from PostgreSQL fails its case.

const type = (kind: TargetType['kind'], sql: string, extra: Partial<TargetType> = {}): TargetType => ({
  kind,
  sql,
  ...extra,
});

/** Random JSON in the shapes applications store, seeded so a failure can be replayed. */
function randomJson(seed: number, count: number): string[] {
  let state = seed;
  const next = (n: number): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
  const words = ['a', 'kind', 'tags', 'level', 'é', 'x y', 'ab', 'ba', 'Z', 'id', '10', 'ключ'];
  const numbers = [
    '0',
    '-0',
    '1',
    '-12',
    '3.50',
    '0.0',
    '-0.00',
    '1e2',
    '2.5E-3',
    '123456789012345678901',
    '7.0',
  ];
  const strings = [
    '"plain"',
    '""',
    '"tab\\tx"',
    '"quo\\"te"',
    '"\\u00e9"',
    '"漢字"',
    '"back\\\\slash"',
    '"a/b"',
  ];
  const space = (): string => [' ', '', '', '\n', '  '][next(5)] ?? '';
  const value = (depth: number): string => {
    const pick = next(depth > 2 ? 3 : 5);
    if (pick === 0) return numbers[next(numbers.length)] ?? '0';
    if (pick === 1) return strings[next(strings.length)] ?? '""';
    if (pick === 2) return ['true', 'false', 'null'][next(3)] ?? 'null';
    if (pick === 3) {
      const items = Array.from({ length: next(4) }, () => space() + value(depth + 1) + space());
      return '[' + items.join(',') + ']';
    }
    const members = Array.from(
      { length: next(5) },
      () => `${space()}"${words[next(words.length)] ?? 'k'}"${space()}:${space()}${value(depth + 1)}`,
    );
    return '{' + members.join(',') + space() + '}';
  };
  return Array.from({ length: count }, () => value(0));
}

const cases: [string, TargetType, SqliteValue[]][] = [
  [
    'bigint',
    type('bigint', 'bigint'),
    [0n, -1n, 9223372036854775807n, -9223372036854775808n, '42', ' 7 ', 12, '3.000'],
  ],
  ['smallint', type('smallint', 'smallint'), [32767, -32768, 0]],
  ['boolean', type('boolean', 'boolean'), [1, 0, 'true', 'no', 'T']],
  [
    'double precision',
    type('double', 'double precision'),
    [
      0.1,
      -0,
      0,
      1 / 3,
      1e-7,
      0.0001,
      0.00001,
      1e15,
      999999999999999.9,
      1e21,
      123456789012345680000,
      5e-324,
      1.7976931348623157e308,
      -1.5e-10,
      2 ** 53 + 2,
      '1e300',
      'Infinity',
      '-inf',
      1234567890123456,
    ],
  ],
  [
    'real',
    type('real', 'real'),
    [
      0.1,
      -0,
      3.4028234663852886e38,
      1e-45,
      16777217,
      0.5,
      1e10,
      1.5e-5,
      1 / 3,
      123456.789,
      1e-40,
      7e22,
      999999.94,
      1e6,
      0.0001,
      0.00009999,
    ],
  ],
  [
    'numeric(12,2)',
    type('numeric', 'numeric(12,2)', { precision: 12, scale: 2 }),
    [44853.61, 5, 0.1, '1.500', -0.5, '0', 1e-2, '-0.00', -0, 0.07, 9999999999.99, -1234.5],
  ],
  ['numeric(5,0)', type('numeric', 'numeric(5,0)', { precision: 5, scale: 0 }), [12345, '7.0', -3, -0]],
  [
    'numeric(15,4)',
    type('numeric', 'numeric(15,4)', { precision: 15, scale: 4 }),
    [12345678901.2345, 0.0001, -99999999999.9999],
  ],
  [
    'numeric(18,2)',
    type('numeric', 'numeric(18,2)', { precision: 18, scale: 2 }),
    [1234567890123456.5, 0.25],
  ],
  [
    'numeric',
    type('numeric', 'numeric'),
    ['1.50', '1e2', 0.1, 123456789012345678901234567890n, '-0.0', '.5', 1e21, 1e-7, '1.50e1', '00012', 3],
  ],
  [
    'text',
    type('text', 'text'),
    [
      'plain',
      '',
      'tab\there',
      'new\nline',
      'cr\rx',
      'back\\slash',
      '\b\f\v',
      'é 漢字 🚀',
      'a\u0085b',
      12.5,
      3n,
      '\\N',
    ],
  ],
  ['varchar(5)', type('varchar', 'varchar(5)', { length: 5 }), ['abcde', 'é漢字', '']],
  ['char(5)', type('char', 'char(5)', { length: 5 }), ['ab', 'abcde', 'a b  ', '', 'é']],
  ['bytea', type('bytea', 'bytea'), [Buffer.from([0, 1, 255]), 'text', Buffer.alloc(0)]],
  [
    'timestamptz',
    type('timestamptz', 'timestamptz'),
    [
      '2024-11-01 14:45:58',
      '2024-11-01T14:45:58.5Z',
      '2024-11-01 14:45:58.123456+05:30',
      '2024-11-01 14:45:58.000001',
      1700000000,
      2460000.5,
      '0001-01-01 00:00:00',
      '0999-06-01 12:00:00',
      '9999-12-31 23:59:59.999999',
      '1969-12-31 23:59:59.999999',
    ],
  ],
  [
    'timestamp',
    type('timestamp', 'timestamp'),
    ['2024-11-01 14:45:58', '2024-11-01T14:45:58.25', '0001-01-01 00:00:00.1'],
  ],
  ['date', type('date', 'date'), ['2024-02-29', '0001-01-01', 0, '9999-12-31']],
  ['time', type('time', 'time'), ['08:00', '23:59:59.999999', '00:00:00.5', '12:30:00']],
  [
    'jsonb',
    type('jsonb', 'jsonb'),
    [
      '{"kind":"charlie","level":3,"tags":["delta","juliett"]}',
      '{"a": 1, "a": 2}',
      '{"é":1,"z":2}',
      ' [1, -0, 1.50, 1e2] ',
      '"\\u00e9\\n\\/"',
      ...randomJson(7, 300),
    ],
  ],
  ['json', type('json', 'json'), ['{"b": 1,  "a":2}', '[1e2, "\\u00e9"]']],
  ['uuid', type('uuid', 'uuid'), ['{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}', Buffer.alloc(16, 0xab)]],
];

describe('COPY round trip: what the load sends is what PostgreSQL prints back', () => {
  let target: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    target = await createTestDatabase('round_trip');
    client = new pg.Client({ connectionString: target.url });
    await client.connect();
    // A session unlike the read-back one: the sent text must not depend on the loading session.
    await client.query(
      "SET TimeZone = 'Asia/Kolkata'; SET DateStyle = 'SQL, DMY'; SET extra_float_digits = 0",
    );
  });
  afterAll(async () => {
    await client.end();
    await target.drop();
  });

  it.each(cases)('%s', async (name, targetType, values) => {
    const converter = makeConverter(targetType, { notNull: false });
    const table = `t_${name.replace(/\W+/g, '_')}`;
    await client.query(`CREATE TABLE ${table} (n integer PRIMARY KEY, v ${targetType.sql})`);
    const sent = [...values, null].map((v, i) =>
      copyLine([String(i), converter.convert(v)], [true, converter.plain]),
    );
    const copy = client.query(copyStreams.from(`COPY ${table} (n, v) FROM STDIN`));
    await pipeline(Readable.from([Buffer.from(sent.join('\n') + '\n')]), copy);

    const reader = new pg.Client({ connectionString: target.url });
    await reader.connect();
    try {
      await reader.query(READBACK_SESSION);
      const back = await readBack(reader, `SELECT n, v FROM ${table} ORDER BY n`);
      const lines = back.toString('utf8').split('\n').slice(0, -1);
      expect(lines.map((line, i) => [values[i], line])).toEqual(sent.map((line, i) => [values[i], line]));
    } finally {
      await reader.end();
    }
  });
});
