import { makeConverter } from '../convert/value-converter';
import { toCharFormat, translateDefault } from './default-translation';
import { mapDeclaredType } from './target-type';

function translate(raw: string | null, declared: string): ReturnType<typeof translateDefault> {
  const type = mapDeclaredType(declared);
  const converter = makeConverter(type, { notNull: false });
  return translateDefault(raw, type, (v) => converter.convert(v, true));
}

describe('translateDefault', () => {
  it.each([
    ['CURRENT_TIMESTAMP', 'DATETIME', 'CURRENT_TIMESTAMP'],
    ["datetime('now')", 'DATETIME', 'CURRENT_TIMESTAMP'],
    ["(datetime('now'))", 'TIMESTAMP', 'CURRENT_TIMESTAMP'],
    ["strftime('%Y-%m-%dT%H:%M:%fZ', 'now')", 'DATETIME', 'CURRENT_TIMESTAMP'],
    [
      "strftime('%Y-%m-%dT%H:%M:%fZ','now')",
      'TEXT',
      `to_char((now() AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
    ],
    ['CURRENT_TIMESTAMP', 'TEXT', `to_char((now() AT TIME ZONE 'UTC'), 'YYYY-MM-DD HH24:MI:SS')`],
    ["strftime('%s','now')", 'INTEGER', 'CAST(EXTRACT(EPOCH FROM now()) AS bigint)'],
    ['CURRENT_DATE', 'DATE', 'CURRENT_DATE'],
    ["date('now')", 'DATE', 'CURRENT_DATE'],
    ['0', 'INTEGER', "'0'"],
    ['-1', 'INTEGER', "'-1'"],
    ['1.5', 'REAL', "'1.5'"],
    ["'it''s'", 'TEXT', "'it''s'"],
    ["''", 'TEXT', "''"],
    ['1', 'BOOLEAN', "'t'"],
    ["'0'", 'BOOLEAN', "'f'"],
    ['FALSE', 'BOOLEAN', "'f'"],
    ["X'00ff'", 'BLOB', "'\\x00ff'"],
    ["'2024-01-02 03:04:05'", 'DATETIME', "'2024-01-02 03:04:05+00'"],
    ["'{}'", 'JSON', "'{}'"],
    ["DATETIME('now', 'localtime')", 'DATETIME', 'CURRENT_TIMESTAMP'],
    ["DATETIME('now', 'localtime')", 'TEXT', `to_char(LOCALTIMESTAMP, 'YYYY-MM-DD HH24:MI:SS')`],
    ["date('now','localtime')", 'DATE', 'CURRENT_DATE'],
    ["date('now')", 'TEXT', `to_char((now() AT TIME ZONE 'UTC'), 'YYYY-MM-DD')`],
    ['"0"', 'INTEGER', "'0'"],
    ['""', 'TEXT', "''"],
    ['"abc"', 'VARCHAR(10)', "'abc'"],
  ])('%s on %s → %s', (raw, declared, sql) => {
    expect(translate(raw, declared)).toEqual({ sql });
  });

  it('drops NULL defaults', () => {
    expect(translate('NULL', 'TEXT')).toEqual({ sql: null });
    expect(translate(null, 'TEXT')).toEqual({ sql: null });
  });

  it('reports what does not translate instead of guessing', () => {
    expect(translate('(lower(hex(randomblob(16))))', 'TEXT')).toHaveProperty('untranslatable');
    expect(translate("'abc'", 'INTEGER')).toHaveProperty('untranslatable');
    expect(translate("datetime('now')", 'BLOB')).toHaveProperty('untranslatable');
  });

  it('maps strftime codes to to_char', () => {
    expect(toCharFormat('%Y/%m/%d %H:%M:%S')).toBe('YYYY/MM/DD HH24:MI:SS');
    expect(toCharFormat('%w')).toBeUndefined();
  });
});
