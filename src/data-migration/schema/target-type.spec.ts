import { mapDeclaredType, parsePgType } from './target-type';

describe('mapDeclaredType', () => {
  it.each([
    ['INTEGER', 'bigint'],
    ['INT', 'bigint'],
    ['BIGINT', 'bigint'],
    ['UNSIGNED BIG INT', 'bigint'],
    ['TINYINT', 'smallint'],
    ['SMALLINT', 'smallint'],
    ['BOOLEAN', 'boolean'],
    ['bool', 'boolean'],
    ['REAL', 'double precision'],
    ['FLOAT', 'double precision'],
    ['DOUBLE', 'double precision'],
    ['DOUBLE PRECISION', 'double precision'],
    ['NUMERIC', 'numeric'],
    ['DECIMAL(10,2)', 'numeric(10,2)'],
    ['NUMERIC(5)', 'numeric(5,0)'],
    ['DATETIME', 'timestamptz'],
    ['TIMESTAMP', 'timestamptz'],
    ['DATE', 'date'],
    ['TIME', 'time'],
    ['VARCHAR(20)', 'varchar(20)'],
    ['NVARCHAR(160)', 'varchar(160)'],
    ['CHAR(3)', 'char(3)'],
    ['CHARACTER(2)', 'char(2)'],
    ['VARCHAR', 'text'],
    ['TEXT', 'text'],
    ['CLOB', 'text'],
    ['', 'text'],
    ['BLOB', 'bytea'],
    ['JSON', 'jsonb'],
    ['UUID', 'uuid'],
  ])('%s → %s', (declared, sql) => {
    expect(mapDeclaredType(declared).sql).toBe(sql);
  });

  it('follows SQLite affinity for unknown names: numeric only when the data is numeric', () => {
    expect(mapDeclaredType('STRING').sql).toBe('text');
    expect(mapDeclaredType('STRING', true).sql).toBe('numeric');
    expect(mapDeclaredType('MEDIUMINT').sql).toBe('bigint');
    expect(mapDeclaredType('FLOATING POINT').sql).toBe('bigint'); // "INT" wins in SQLite's rules
  });
});

describe('parsePgType', () => {
  it.each([
    ['integer', 'integer'],
    ['character varying(40)', 'varchar'],
    ['character varying', 'text'],
    ['character(3)', 'char'],
    ['numeric(8,3)', 'numeric'],
    ['timestamp with time zone', 'timestamptz'],
    ['timestamp without time zone', 'timestamp'],
    ['jsonb', 'jsonb'],
    ['inet', 'other'],
  ])('%s → %s', (formatted, kind) => {
    expect(parsePgType(formatted).kind).toBe(kind);
  });

  it('reads precision and scale', () => {
    expect(parsePgType('numeric(8,3)')).toMatchObject({ precision: 8, scale: 3 });
    expect(parsePgType('character varying(40)')).toMatchObject({ length: 40 });
  });
});
