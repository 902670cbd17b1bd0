import type pg from 'pg';

/** One statement of a psql script: plain SQL, or a query whose result cells are run as SQL (`\gexec`). */
export interface PsqlStatement {
  kind: 'sql' | 'gexec';
  text: string;
}

const quoteLiteral = (value: string): string => `'${value.replaceAll("'", "''")}'`;
const quoteIdentifier = (value: string): string => `"${value.replaceAll('"', '""')}"`;

/**
 * Reads the subset of psql that docker/postgres/roles.sql uses, so tests can apply it through pg where
 * no psql client is installed: `:'var'` and `:"var"` interpolation, `\gexec`, `\set ON_ERROR_STOP`
 * (the statements are run in order and stop at the first error anyway), full-line `--` comments, and
 * statements ending with `;` at the end of a line. Anything else fails loudly instead of being skipped.
 */
export function parsePsqlScript(script: string, variables: Record<string, string>): PsqlStatement[] {
  const interpolate = (text: string): string =>
    text.replace(/:(['"])(\w+)\1/g, (_match, quote: string, name: string) => {
      const value = variables[name];
      if (value === undefined) throw new Error(`psql variable "${name}" is not set`);
      return quote === "'" ? quoteLiteral(value) : quoteIdentifier(value);
    });
  const statements: PsqlStatement[] = [];
  let buffer = '';
  for (const line of script.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('--')) continue;
    if (trimmed.startsWith('\\')) {
      if (/^\\set\s+ON_ERROR_STOP\s+(1|on)$/i.test(trimmed)) continue;
      throw new Error(`unsupported psql meta-command: ${trimmed}`);
    }
    const gexec = /^(.*)\\gexec$/.exec(trimmed);
    if (gexec) {
      statements.push({ kind: 'gexec', text: interpolate(`${buffer}${gexec[1]}`.trim()) });
      buffer = '';
    } else if (trimmed.endsWith(';')) {
      statements.push({ kind: 'sql', text: interpolate(`${buffer}${trimmed}`.trim()) });
      buffer = '';
    } else {
      buffer += `${trimmed}\n`;
    }
    if (buffer.includes('\\')) throw new Error(`unsupported psql syntax in: ${buffer}`);
  }
  if (buffer.trim() !== '') throw new Error(`unterminated statement at the end of the script: ${buffer}`);
  return statements;
}

/** Runs the statements in order on `client`, as `psql -v ON_ERROR_STOP=1 -f` would. */
export async function runPsqlStatements(client: pg.Client, statements: PsqlStatement[]): Promise<void> {
  for (const statement of statements) {
    const config: pg.QueryArrayConfig = { text: statement.text, rowMode: 'array' };
    const result = await client.query<unknown[]>(config);
    if (statement.kind !== 'gexec') continue;
    for (const row of result.rows) {
      for (const cell of row) {
        if (cell === null) continue;
        if (typeof cell !== 'string')
          throw new Error(`\\gexec cell is not SQL text: ${JSON.stringify(cell)}`);
        await client.query(cell);
      }
    }
  }
}
