/**
 * SQLite's bare columns in an aggregate query: `SELECT f.title, l.name, count(*) … GROUP BY f.film_id`
 * takes `l.name` from some row of each group. PostgreSQL accepts a column whose table's primary key
 * is grouped; where the group can only hold one row of that table — a grouped table has a foreign
 * key to it — adding its key to the GROUP BY keeps the meaning, and the view is carried so.
 */
import { keyColumns, type PlannedTable } from '../model/plan';
import { isWord, quoteIdent, tokenize, type Token } from './sql-tokens';

/** The qualifier PostgreSQL names in `column "l.name" must appear in the GROUP BY clause …`. */
export function ungroupedQualifier(message: string): string | undefined {
  return /column "([^".]+)\.[^"]+" must appear in the GROUP BY clause/.exec(message)?.[1];
}

/**
 * The view's SQL with the primary key of the table behind `qualifier` added to its outer GROUP BY,
 * or the reason that would change what the view means.
 */
export function groupByWithKeyOf(
  sql: string,
  qualifier: string,
  tables: PlannedTable[],
): { sql: string } | { reason: string } {
  const tokens = tokenize(sql);
  const m = tokens.map((tk, i) => ({ tk, i })).filter((x) => x.tk.kind !== 'space');
  const aliases = fromTables(
    m.map((x) => x.tk),
    tables,
  );
  const table = aliases.get(qualifier.toLowerCase());
  const refused = `bare column of "${qualifier}" in an aggregate query: SQLite takes it from some row of each group`;
  if (!table) return { reason: refused };
  const key = keyColumns(table);
  // Depth-0 GROUP BY of the outer query, and where its list ends.
  let depth = 0;
  let start = -1;
  let end = m.length;
  for (let k = 0; k < m.length; k++) {
    const t = m[k]?.tk;
    if (t?.text === '(') depth++;
    if (t?.text === ')') depth--;
    if (depth !== 0) continue;
    if (isWord(t, 'GROUP') && isWord(m[k + 1]?.tk, 'BY')) start = k + 2;
    else if (
      start >= 0 &&
      k > start &&
      isWord(t, 'HAVING', 'ORDER', 'LIMIT', 'WINDOW', 'UNION', 'EXCEPT', 'INTERSECT')
    ) {
      end = k;
      break;
    }
  }
  if (start < 0 || key.length === 0) return { reason: refused };
  const grouped = m
    .slice(start, end)
    .filter((x) => x.tk.kind === 'word' || x.tk.kind === 'quoted')
    .map((x) => x.tk.value.toLowerCase());
  // A grouped table: every key column of it is in the GROUP BY; it must have a foreign key to `table`.
  const determined = [...new Set(aliases.values())].some(
    (g) =>
      g !== table &&
      keyColumns(g).length > 0 &&
      keyColumns(g).every((c) => grouped.includes(c.name.toLowerCase())) &&
      g.source.foreignKeys.some((fk) => fk.parentTable.toLowerCase() === table.source.name.toLowerCase()),
  );
  if (!determined)
    return {
      reason: `${refused}, and no grouped table has a foreign key to "${table.name}" that makes it one row`,
    };
  const last = m[end - 1];
  if (!last) return { reason: refused };
  const added = key.map((c) => `, ${quoteIdent(qualifier)}.${quoteIdent(c.source.name)}`).join('');
  const at = last.i + 1;
  return {
    sql: [...tokens.slice(0, at).map((t) => t.text), added, ...tokens.slice(at).map((t) => t.text)].join(''),
  };
}

/** The tables of the FROM clause by their alias (or name), lower-cased. */
function fromTables(tokens: Token[], tables: PlannedTable[]): Map<string, PlannedTable> {
  const out = new Map<string, PlannedTable>();
  for (let k = 0; k < tokens.length; k++) {
    if (!isWord(tokens[k], 'FROM', 'JOIN') && tokens[k]?.text !== ',') continue;
    const name = tokens[k + 1];
    if (!name || (name.kind !== 'word' && name.kind !== 'quoted')) continue;
    const table = tables.find((t) => t.source.name.toLowerCase() === name.value.toLowerCase());
    if (!table) continue;
    out.set(name.value.toLowerCase(), table);
    let alias = tokens[k + 2];
    if (isWord(alias, 'AS')) alias = tokens[k + 3];
    const reserved = [
      'ON',
      'USING',
      'WHERE',
      'GROUP',
      'LEFT',
      'RIGHT',
      'INNER',
      'JOIN',
      'CROSS',
      'NATURAL',
      'ORDER',
      'LIMIT',
    ];
    if (alias && (alias.kind === 'quoted' || (alias.kind === 'word' && !isWord(alias, ...reserved))))
      out.set(alias.value.toLowerCase(), table);
  }
  return out;
}
