import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Keeps the database layer the only place that knows which database the service runs on, and the only
 * place with SQL: a dialect check or a driver import anywhere else fails here, naming file and line.
 */
const SRC = join(process.cwd(), 'src');

/** Where a dialect may be named: the database layer, the parsing of DATABASE_URL, the migrate tool. */
const ALLOWED = ['database/', 'config/', 'data-migration/'];

const DIALECT_CHECKS: [string, RegExp][] = [
  ['options.type', /\boptions\s*\.\s*type\b/],
  ['isPostgres / isSqlite', /\bis(Postgres|Sqlite|SQLite|Pg)\b/],
  ['dialect comparison', /\bdialect\s*[!=]==?/],
  ['kind comparison', /\.kind\s*[!=]==?\s*['"](postgres|sqlite)['"]/],
  ['driver name', /['"]better-sqlite3['"]|['"]postgres['"]\s*[:)]/],
  ['raw pool', /\bdriver\s*(as\b.*)?\)?\s*\.\s*master\b|\.master\b/],
  ['driver class', /\b(PostgresDriver|BetterSqlite3Driver|AbstractSqliteDriver)\b/],
];

const DATA_ACCESS: [string, RegExp][] = [
  ['typeorm import', /from ['"]typeorm['"]|from ['"]@nestjs\/typeorm['"]/],
  ['driver import', /from ['"](pg|better-sqlite3|pg-copy-streams)['"]/],
  ['raw query', /\.(query|createQueryBuilder|createQueryRunner)\s*[<(]/],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

function findings(files: string[], rules: [string, RegExp][]): string[] {
  const out: string[] = [];
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (/^\s*(\/\/|\*|\/\*)/.test(line)) return; // comments may talk about dialects
      for (const [what, pattern] of rules) {
        if (pattern.test(line)) out.push(`${relative(SRC, file)}:${i + 1} ${what}: ${line.trim()}`);
      }
    });
  }
  return out;
}

const outside = sourceFiles(SRC).filter((f) => !ALLOWED.some((dir) => relative(SRC, f).startsWith(dir)));

describe('the database layer is the only one that knows the dialect', () => {
  it('scans the service code', () => {
    const folders = new Set(outside.map((f) => relative(SRC, f).split('/')[0]));
    expect([...folders]).toEqual(expect.arrayContaining(['content', 'scheduling', 'health', 'common']));
  });

  it('finds no dialect check outside src/database', () => {
    expect(findings(outside, DIALECT_CHECKS)).toEqual([]);
  });

  it('finds no SQL, TypeORM or driver import outside src/database', () => {
    expect(findings(outside, DATA_ACCESS)).toEqual([]);
  });

  it.each([
    "if (this.dataSource.options.type === 'postgres') {",
    'const rows = this.runs.isPostgres ? a : b;',
    "return db.dialect === 'sqlite';",
    "if (config.database.kind !== 'postgres') return;",
    '(ds.driver as unknown as { master: Pool }).master',
  ])('would catch %s', (line) => {
    expect(DIALECT_CHECKS.some(([, pattern]) => pattern.test(line))).toBe(true);
  });

  it.each(["import { DataSource } from 'typeorm';", 'await this.dataSource.query<Row[]>(sql)'])(
    'would catch %s',
    (line) => {
      expect(DATA_ACCESS.some(([, pattern]) => pattern.test(line))).toBe(true);
    },
  );
});
