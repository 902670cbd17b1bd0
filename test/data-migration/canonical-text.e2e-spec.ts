import pg from 'pg';
import { instantSendHex } from '../../src/data-migration/convert/datetime';
import { pgRowTextSql, rowText } from '../../src/data-migration/verify/row-digest';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

// Verification hashes the same text on both sides: built here in JavaScript and by PostgreSQL in SQL.
// These values are the ones where the two could part ways.
describe('verification: canonical text agrees with PostgreSQL', () => {
  let target: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    target = await createTestDatabase('canonical');
    client = new pg.Client({ connectionString: target.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await target.drop();
  });

  const rows: (string | null)[][] = [
    ['plain', '42', null],
    ['', null, ''],
    ["it's", 'back\\slash', "both ' and \\"],
    ['a,b', '(x)', '"quoted"'],
    ['tab\there', 'new\nline', 'cr\rlf'],
    ['NULL', 'null', "''"],
    ['à Å  nbsp', '漢字 🚀', 'é\u0085'],
    [null, null, null],
  ];

  it.each(rows.map((r) => [r]))('row %j', async (row) => {
    const params = row.map((_v, i) => `$${i + 1}::text`);
    const { rows: out } = await client.query<{ t: string }>({
      text: `SELECT ${pgRowTextSql(params)} AS t`,
      values: row,
    });
    expect(out[0]?.t).toBe(rowText(row));
  });

  it('writes plain columns (numbers, hex) unquoted, NULL as NULL, the same on both sides', async () => {
    const row = ['-42', null, 'fffca2fec4d76242', "it's"];
    const plain = [true, true, true, false];
    const { rows: out } = await client.query<{ t: string }>({
      text: `SELECT ${pgRowTextSql(
        row.map((_v, i) => `$${i + 1}::text`),
        plain,
      )} AS t`,
      values: row,
    });
    expect(out[0]?.t).toBe("-42,NULL,fffca2fec4d76242,'it''s'");
    expect(rowText(row, plain)).toBe(out[0]?.t);
  });

  it('tells NULL from the text NULL and from an empty value', () => {
    expect(new Set([rowText([null]), rowText(['NULL']), rowText([''])]).size).toBe(3);
  });

  it('instants as timestamptz_send hex, before and after both epochs, with microseconds and far years', async () => {
    const instants = [
      '1970-01-01 00:00:00.000000',
      '1999-12-31 23:59:59.999999',
      '2000-01-01 00:00:00.000000',
      '2000-01-01 00:00:00.000001',
      '1969-07-20 20:17:40.123456',
      '2024-02-29 12:00:00.500000',
      '0001-01-01 00:00:00.000000',
      '1600-03-01 00:00:00.000001',
      '1700-06-15 08:30:00.000007',
      '9999-12-31 23:59:59.999999',
    ];
    for (const text of instants) {
      const { rows: out } = await client.query<{ hex: string }>(
        `SELECT encode(timestamptz_send($1::timestamptz), 'hex') AS hex`,
        [`${text}+00`],
      );
      expect([text, instantSendHex(`${text}+00`)]).toEqual([text, out[0]?.hex]);
    }
  });
});
