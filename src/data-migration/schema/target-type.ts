import type { TargetKind, TargetType } from '../model/target-type';
/** PostgreSQL column types the migration converts values for, and their mapping from SQLite. */

const simple = (kind: TargetKind, sql: string): TargetType => ({ kind, sql });

/**
 * Maps a SQLite declared type to a PostgreSQL type: the well-known names first, then SQLite's own
 * affinity rules (https://sqlite.org/datatype3.html §3.1). `numericOnly` says whether every stored
 * value of the column is a number, used for NUMERIC-affinity names that mean nothing to PostgreSQL.
 */
export function mapDeclaredType(declared: string, numericOnly = false): TargetType {
  const decl = declared.trim().toUpperCase().replace(/\s+/g, ' ');
  const args = /\(\s*(\d+)\s*(?:,\s*(-?\d+)\s*)?\)/.exec(decl);
  const n1 = args?.[1] === undefined ? undefined : Number(args[1]);
  const n2 = args?.[2] === undefined ? undefined : Number(args[2]);
  const base = decl.replace(/\(.*$/, '').trim();

  if (base === '') return simple('text', 'text');
  if (/^(BOOL|BOOLEAN)$/.test(base)) return simple('boolean', 'boolean');
  if (/^(TINYINT|SMALLINT|INT2)$/.test(base)) return simple('smallint', 'smallint');
  if (/^(JSON|JSONB)$/.test(base)) return simple('jsonb', 'jsonb');
  if (/^(UUID|GUID|UNIQUEIDENTIFIER)$/.test(base)) return simple('uuid', 'uuid');
  if (
    /^(DATETIME|TIMESTAMP|TIMESTAMPTZ|TIMESTAMP WITH(OUT)? TIME ZONE|DATETIME2|SMALLDATETIME)$/.test(base)
  ) {
    return simple('timestamptz', 'timestamptz');
  }
  if (base === 'DATE') return simple('date', 'date');
  if (/^TIME( WITHOUT TIME ZONE)?$/.test(base)) return simple('time', 'time');
  if (/^(NUMERIC|DECIMAL|NUMBER|MONEY)$/.test(base)) {
    if (n1 !== undefined && n1 >= 1 && n1 <= 1000) {
      const scale = n2 ?? 0;
      if (scale >= 0 && scale <= n1) {
        return { kind: 'numeric', sql: `numeric(${n1},${scale})`, precision: n1, scale };
      }
    }
    return simple('numeric', 'numeric');
  }
  if (/^(REAL|FLOAT|DOUBLE|DOUBLE PRECISION|FLOAT8|FLOAT4)$/.test(base))
    return simple('double', 'double precision');

  // SQLite affinity rules, in SQLite's order.
  if (base.includes('INT')) return simple('bigint', 'bigint');
  if (base.includes('CHAR') || base.includes('CLOB') || base.includes('TEXT')) {
    if (n1 !== undefined && n1 >= 1 && n1 <= 10_485_760) {
      const fixed = /^(N?CHAR|CHARACTER|NATIVE CHARACTER)$/.test(base);
      return fixed
        ? { kind: 'char', sql: `char(${n1})`, length: n1 }
        : { kind: 'varchar', sql: `varchar(${n1})`, length: n1 };
    }
    return simple('text', 'text');
  }
  if (base.includes('BLOB')) return simple('bytea', 'bytea');
  if (base.includes('REAL') || base.includes('FLOA') || base.includes('DOUB')) {
    return simple('double', 'double precision');
  }
  // NUMERIC affinity for an unknown name (STRING, MONEY2, …): numeric only if the data is numeric.
  return numericOnly ? simple('numeric', 'numeric') : simple('text', 'text');
}

/** Whether mapDeclaredType needs to look at the data (unknown NUMERIC-affinity names). */
export function needsNumericProbe(declared: string): boolean {
  return mapDeclaredType(declared, true).sql !== mapDeclaredType(declared, false).sql;
}

/** Parses `format_type()` output of an existing PostgreSQL column. */
export function parsePgType(formatted: string): TargetType {
  const t = formatted.trim();
  const args = /\((\d+)(?:,(\d+))?\)/.exec(t);
  const n1 = args?.[1] === undefined ? undefined : Number(args[1]);
  const n2 = args?.[2] === undefined ? undefined : Number(args[2]);
  const base = t.replace(/\(.*?\)/, '');
  switch (base) {
    case 'smallint':
      return simple('smallint', t);
    case 'integer':
      return simple('integer', t);
    case 'bigint':
      return simple('bigint', t);
    case 'boolean':
      return simple('boolean', t);
    case 'double precision':
      return simple('double', t);
    case 'real':
      return simple('real', t);
    case 'numeric':
      return { kind: 'numeric', sql: t, precision: n1, scale: n1 === undefined ? undefined : (n2 ?? 0) };
    case 'text':
      return simple('text', t);
    case 'character varying':
      return { kind: n1 === undefined ? 'text' : 'varchar', sql: t, length: n1 };
    case 'character':
      return { kind: 'char', sql: t, length: n1 ?? 1 };
    case 'bytea':
      return simple('bytea', t);
    case 'timestamp with time zone':
      return simple('timestamptz', t);
    case 'timestamp without time zone':
      return simple('timestamp', t);
    case 'date':
      return simple('date', t);
    case 'time without time zone':
      return simple('time', t);
    case 'jsonb':
      return simple('jsonb', t);
    case 'json':
      return simple('json', t);
    case 'uuid':
      return simple('uuid', t);
    default:
      return simple('other', t);
  }
}
