/**
 * SQLite triggers as PL/pgSQL trigger functions, for the common shapes: BEFORE/AFTER
 * INSERT/UPDATE [OF cols]/DELETE, FOR EACH ROW, WHEN, bodies of INSERT/UPDATE/DELETE statements
 * on NEW/OLD, `SELECT RAISE(…) [WHERE …]` and `SELECT CASE WHEN … THEN RAISE(…) END`.
 *
 * SQLite fires no trigger recursively by default, so a trigger that updates its own row after an
 * insert or update (`UPDATE t SET last_update = datetime('now') WHERE rowid = new.rowid`) changes the
 * row once. Word for word it would fire itself again in PostgreSQL; what it means is a BEFORE
 * trigger setting `NEW.last_update`, and that is what it becomes.
 */
import { keyColumns, type DdlStatement, type PlannedTable } from '../model/plan';
import { constraintName } from './ddl';
import {
  translateExpression,
  UntranslatableSqlError,
  type TranslationContext,
} from './expression-translation';
import { closingParen, isWord, quoteIdent, quoteLiteral, tokenize, type Token } from './sql-tokens';

export interface SourceTriggerSql {
  name: string;
  table: string;
  sql: string;
}

interface Parsed {
  timing: 'BEFORE' | 'AFTER';
  event: 'INSERT' | 'UPDATE' | 'DELETE';
  columns: string[];
  table: string;
  when: Token[] | undefined;
  body: Token[][];
}

const ROWID = ['ROWID', '_ROWID_', 'OID'];

/** The function and trigger statements for one SQLite trigger; throws UntranslatableSqlError. */
export function triggerStatements(
  trigger: SourceTriggerSql,
  tables: PlannedTable[],
  ctx: TranslationContext,
): DdlStatement[] {
  const p = parseTrigger(trigger.sql);
  const table = tables.find((t) => t.source.name.toLowerCase() === p.table.toLowerCase());
  if (!table || table.exists)
    throw new UntranslatableSqlError(`table "${p.table}" is not created by this migration`);
  let timing = p.timing;
  let lines: string[];
  const selfUpdates = p.event !== 'DELETE' && p.body.every((s) => selfUpdate(s, table) !== undefined);
  if (selfUpdates) {
    // The AFTER trigger updating its own row is a BEFORE trigger setting NEW (see above).
    timing = 'BEFORE';
    lines = p.body
      .flatMap((s) => selfUpdate(s, table) ?? [])
      .map(([column, expr]) => {
        const value = translateExpression(
          withNew(expr, table)
            .map((t) => t.text)
            .join(''),
          ctx,
        );
        return `NEW.${quoteIdent(column)} := ${value};`;
      });
  } else {
    lines = p.body.map((s) => statement(s, table, ctx));
  }
  const returns = timing === 'AFTER' ? 'RETURN NULL;' : p.event === 'DELETE' ? 'RETURN OLD;' : 'RETURN NEW;';
  const fn = constraintName(`${trigger.name}_fn`);
  const body = [...lines, returns].join('\n  ');
  const columns =
    p.columns.length > 0 ? ` OF ${p.columns.map((c) => quoteIdent(target(table, c))).join(', ')}` : '';
  const when = p.when
    ? ` WHEN (${translateExpression(
        rowidNames(p.when, table)
          .map((t) => t.text)
          .join(''),
        ctx,
      )})`
    : '';
  return [
    {
      kind: 'trigger',
      name: fn,
      table: table.name,
      sql: `CREATE OR REPLACE FUNCTION ${quoteIdent(fn)}() RETURNS trigger LANGUAGE plpgsql AS $pgmove$\nBEGIN\n  ${body}\nEND\n$pgmove$`,
    },
    {
      kind: 'trigger',
      name: trigger.name,
      table: table.name,
      sql: `CREATE OR REPLACE TRIGGER ${quoteIdent(trigger.name)} ${timing} ${p.event}${columns} ON ${quoteIdent(table.name)} FOR EACH ROW${when} EXECUTE FUNCTION ${quoteIdent(fn)}()`,
    },
  ];
}

function parseTrigger(sql: string): Parsed {
  const all = tokenize(sql);
  const m = all.filter((t) => t.kind !== 'space');
  let k = m.findIndex((t) => isWord(t, 'TRIGGER')) + 1;
  if (isWord(m[k], 'IF')) k += 3;
  k++; // the name (schema-qualified names are not written by SQLite for triggers in main)
  if (m[k]?.text === '.') k += 2;
  let timing: 'BEFORE' | 'AFTER' = 'BEFORE';
  if (isWord(m[k], 'BEFORE', 'AFTER'))
    timing = (m[k++]?.text.toUpperCase() ?? 'BEFORE') as 'BEFORE' | 'AFTER';
  else if (isWord(m[k], 'INSTEAD'))
    throw new UntranslatableSqlError('INSTEAD OF triggers (on views) are not translated');
  const event = m[k++]?.text.toUpperCase();
  if (event !== 'INSERT' && event !== 'UPDATE' && event !== 'DELETE')
    throw new UntranslatableSqlError('trigger event could not be read');
  const columns: string[] = [];
  if (event === 'UPDATE' && isWord(m[k], 'OF')) {
    for (k++; m[k] && !isWord(m[k], 'ON'); k++) if (m[k]?.text !== ',') columns.push(m[k]?.value ?? '');
  }
  if (!isWord(m[k++], 'ON')) throw new UntranslatableSqlError('trigger table could not be read');
  const table = m[k++]?.value ?? '';
  if (isWord(m[k], 'FOR')) k += 3;
  // WHEN runs to the BEGIN of the body (a CASE … END inside it has no BEGIN).
  let when: Token[] | undefined;
  const begin = m.findIndex((t, i) => i >= k && isWord(t, 'BEGIN'));
  if (begin < 0) throw new UntranslatableSqlError('trigger body could not be read');
  const rawIndex = (meaningful: number): number => all.indexOf(m[meaningful]);
  if (isWord(m[k], 'WHEN')) when = all.slice(rawIndex(k) + 1, rawIndex(begin));
  const end = m.length - 1 - [...m].reverse().findIndex((t) => isWord(t, 'END'));
  const inner = all.slice(rawIndex(begin) + 1, rawIndex(end));
  const body: Token[][] = [[]];
  let depth = 0;
  for (const t of inner) {
    if (t.text === '(') depth++;
    if (t.text === ')') depth--;
    if (depth === 0 && t.text === ';') body.push([]);
    else body.at(-1)?.push(t);
  }
  return {
    timing,
    event,
    columns,
    table,
    when,
    body: body.filter((s) => s.some((t) => t.kind !== 'space')),
  };
}

/**
 * `UPDATE <own table> SET c = e, … WHERE <rowid or key> = NEW.<same>` as its assignments, or
 * undefined for any other statement.
 */
function selfUpdate(stmt: Token[], table: PlannedTable): [string, Token[]][] | undefined {
  const m = stmt.filter((t) => t.kind !== 'space');
  if (
    !isWord(m[0], 'UPDATE') ||
    m[1]?.value.toLowerCase() !== table.source.name.toLowerCase() ||
    !isWord(m[2], 'SET')
  )
    return undefined;
  const where = m.findIndex((t) => isWord(t, 'WHERE'));
  if (where < 0) return undefined;
  const cond = m.slice(where + 1).map((t) => t.value.toUpperCase());
  const key = keyColumns(table).map((c) => c.source.name.toUpperCase());
  const alias = table.source.rowidAlias?.toUpperCase();
  // Which row a name picks out: the rowid (or its alias), or a one-column key.
  const idOf = (name: string | undefined): string | undefined =>
    name === undefined
      ? undefined
      : (ROWID.includes(name) && !table.source.withoutRowid) || name === alias
        ? 'rowid'
        : key.length === 1 && key[0] === name
          ? 'key'
          : undefined;
  const own =
    cond.length === 5 &&
    cond[1] === '=' &&
    cond[2] === 'NEW' &&
    cond[3] === '.' &&
    idOf(cond[0]) !== undefined &&
    idOf(cond[0]) === idOf(cond[4]);
  if (!own) return undefined;
  const assignments: [string, Token[]][] = [];
  const raw = stmt.indexOf(m[3]);
  const rawWhere = stmt.indexOf(m[where]);
  let depth = 0;
  let current: Token[] = [];
  const flush = (): void => {
    const parts = current.filter((t) => t.kind !== 'space');
    const eq = current.findIndex((t) => t.text === '=');
    if (parts.length < 3 || parts[1]?.text !== '=')
      throw new UntranslatableSqlError('UPDATE … SET could not be read');
    assignments.push([target(table, parts[0]?.value ?? ''), current.slice(eq + 1)]);
    current = [];
  };
  for (const t of stmt.slice(raw, rawWhere)) {
    if (t.text === '(') depth++;
    if (t.text === ')') depth--;
    if (depth === 0 && t.text === ',') flush();
    else current.push(t);
  }
  flush();
  return assignments;
}

/** Unqualified columns of the trigger's table in a self-update's value: the row's NEW values. */
function withNew(expr: Token[], table: PlannedTable): Token[] {
  const out: Token[] = [];
  expr.forEach((t, i) => {
    const prev = expr
      .slice(0, i)
      .filter((x) => x.kind !== 'space')
      .at(-1);
    const next = expr.slice(i + 1).find((x) => x.kind !== 'space');
    const column = table.columns.find((c) => c.source.name.toLowerCase() === t.value.toLowerCase());
    if (
      (t.kind === 'word' || t.kind === 'quoted') &&
      column &&
      prev?.text !== '.' &&
      next?.text !== '(' &&
      next?.text !== '.'
    )
      out.push({ kind: 'word', text: 'NEW', value: 'NEW' }, { kind: 'op', text: '.', value: '.' });
    out.push(t);
  });
  return rowidNames(out, table);
}

/** NEW.rowid / OLD.rowid as the rowid alias column; any other rowid cannot be followed. */
function rowidNames(tokens: Token[], table: PlannedTable): Token[] {
  return tokens.map((t, i) => {
    if (t.kind !== 'word' || !ROWID.includes(t.text.toUpperCase())) return t;
    const before = tokens.slice(0, i).filter((x) => x.kind !== 'space');
    const qualified = before.at(-1)?.text === '.' && isWord(before.at(-2), 'NEW', 'OLD');
    const alias = table.columns.find((c) => c.source.name === table.source.rowidAlias)?.name;
    if (!qualified || !alias) throw new UntranslatableSqlError('a rowid the target has no column for');
    return { kind: 'quoted', text: quoteIdent(alias), value: alias };
  });
}

/** One body statement as PL/pgSQL. */
function statement(stmt: Token[], table: PlannedTable, ctx: TranslationContext): string {
  const m = stmt.filter((t) => t.kind !== 'space');
  if (isWord(m[0], 'SELECT') && m.some((t) => isWord(t, 'RAISE'))) return raiseStatement(stmt, table, ctx);
  if (!isWord(m[0], 'INSERT', 'UPDATE', 'DELETE', 'REPLACE'))
    throw new UntranslatableSqlError(`trigger statement ${m[0]?.text ?? ''} … is not translated`);
  if (isWord(m[0], 'REPLACE') || isWord(m[1], 'OR'))
    throw new UntranslatableSqlError('INSERT OR … / REPLACE in a trigger is not translated');
  return `${translateExpression(
    rowidNames(stmt, table)
      .map((t) => t.text)
      .join(''),
    ctx,
  )};`;
}

/** `SELECT RAISE(kind, msg) [WHERE c]` or `SELECT CASE WHEN c THEN RAISE(…) … END` as IF … END IF. */
function raiseStatement(stmt: Token[], table: PlannedTable, ctx: TranslationContext): string {
  const tokens = rowidNames(stmt, table);
  const m = tokens.filter((t) => t.kind !== 'space');
  // The written text from meaningful token `from` up to (not including) `to`.
  const sql = (from: number, to: number): string =>
    translateExpression(
      tokens
        .slice(tokens.indexOf(m[from]), tokens.indexOf(m[to - 1]) + 1)
        .map((t) => t.text)
        .join(''),
      ctx,
    );
  if (isWord(m[1], 'RAISE')) {
    const close = closingParen(m, 2);
    const rest = close + 1;
    if (rest < m.length && !isWord(m[rest], 'WHERE'))
      throw new UntranslatableSqlError('SELECT RAISE(…) FROM … is not translated');
    const action = raise(m.slice(3, close));
    return rest >= m.length ? action : `IF ${sql(rest + 1, m.length)} THEN\n    ${action}\n  END IF;`;
  }
  if (!isWord(m[1], 'CASE')) throw new UntranslatableSqlError('a SELECT in a trigger body is not translated');
  const endCase = m.length - 1;
  if (!isWord(m[endCase], 'END'))
    throw new UntranslatableSqlError('SELECT CASE … END FROM … is not translated');
  const branches: string[] = [];
  for (let k = 2; k < endCase;) {
    if (!isWord(m[k], 'WHEN')) throw new UntranslatableSqlError('CASE in a trigger body could not be read');
    const then = m.findIndex((t, i) => i > k && isWord(t, 'THEN'));
    if (then < 0 || !isWord(m[then + 1], 'RAISE'))
      throw new UntranslatableSqlError('CASE branch without RAISE in a trigger body');
    const close = closingParen(m, then + 2);
    branches.push(
      `${branches.length === 0 ? 'IF' : 'ELSIF'} ${sql(k + 1, then)} THEN\n    ${raise(m.slice(then + 3, close))}`,
    );
    k = close + 1;
  }
  return `${branches.join('\n  ')}\n  END IF;`;
}

/** RAISE(IGNORE) skips the row; RAISE(ABORT|FAIL|ROLLBACK, msg) raises the message. */
function raise(args: Token[]): string {
  if (isWord(args[0], 'IGNORE')) return 'RETURN NULL;';
  if (!isWord(args[0], 'ABORT', 'FAIL', 'ROLLBACK') || args[1]?.text !== ',' || args[2]?.kind !== 'string')
    throw new UntranslatableSqlError('RAISE(…) whose message is not a literal is not translated');
  return `RAISE EXCEPTION '%', ${quoteLiteral(args[2].value)};`;
}

function target(table: PlannedTable, name: string): string {
  return table.columns.find((c) => c.source.name.toLowerCase() === name.toLowerCase())?.name ?? name;
}
