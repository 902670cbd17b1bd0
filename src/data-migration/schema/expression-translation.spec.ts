import type { TargetKind } from '../model/target-type';
import {
  translateExpression,
  UntranslatableSqlError,
  type TranslationContext,
} from './expression-translation';

const names = ['Order Details', 'Products', 'Discontinued', 'active', 'UnitPrice', 'order'];
const kinds: Record<string, TargetKind> = { n: 'bigint', name: 'text', d: 'text', price: 'numeric' };
const ctx: TranslationContext = {
  resolve: (n) => names.find((x) => x.toLowerCase() === n.toLowerCase()),
  columnKind: (n) => kinds[n.toLowerCase()],
  booleanColumns: new Set(['active']),
  textColumns: new Set(['discontinued']),
};

describe('translateExpression', () => {
  it.each([
    ['[Order Details].UnitPrice > 0', '"Order Details"."UnitPrice" > 0'],
    ['`order`.x == 1', '"order".x = 1'],
    ['unitprice>=(0)', '"UnitPrice">=(0)'],
    ['active = 1', '"active" = true'],
    ['Discontinued <> 1', '"Discontinued" <> \'1\''],
    ['(((Products.Discontinued)=0))', '((("Products"."Discontinued")=\'0\'))'],
    ["IFNULL(a, 'x')", "COALESCE(a, 'x')"],
    [
      "d BETWEEN DATETIME('1997-01-01') AND datetime('now')",
      "d BETWEEN CAST('1997-01-01' AS timestamptz) AND CURRENT_TIMESTAMP",
    ],
    ["x = X'00ff'", "x = '\\x00ff'::bytea"],
    [
      'SELECT p.x AS Total FROM Products p ORDER BY total',
      'SELECT p.x AS "Total" FROM "Products" p ORDER BY "Total"',
    ],
    ['a ISNULL', 'a IS NULL'],
    ["group_concat(name, '; ')", "string_agg(CAST(name AS text), '; ')"],
    ['GROUP_CONCAT(DISTINCT n)', "string_agg(DISTINCT CAST(n AS text), ',')"],
    [
      "(first + ' ' + name)",
      "(first + 0 + (CASE WHEN name IS NULL THEN NULL ELSE coalesce(CAST(substring(CAST(name AS text) FROM '^\\s*([+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?)') AS numeric), 0) END))",
    ],
    ["'12abc' * 2", '12 * 2'],
    ['1 = name', "'1' = name"],
    ['n * 2 - 1', 'n * 2 - 1'],
    ['active IN (0, 1)', '"active" IN (false, true)'],
    ['(JSON_VALID("attrs") OR "attrs" IS NULL)', '(("attrs" IS JSON) OR "attrs" IS NULL)'],
    ["iif(n > 1, 'many', 'one')", "CASE WHEN n > 1 THEN 'many' ELSE 'one' END"],
    ["IF(n > 1, 'many')", "CASE WHEN n > 1 THEN 'many' END"],
    ["instr(name, '@') > 1", "strpos(name, '@') > 1"],
    ['length(n) < 5', 'length(CAST(n AS text)) < 5'],
    ['length(name) < 5', 'length(name) < 5'],
    ['round(price, 2) = price', 'round(CAST(price AS numeric), CAST(2 AS integer)) = price'],
    ['max(a, b, 3)', 'GREATEST(a, b, 3)'],
    ['max(a)', 'max(a)'],
    ["trim(name, 'x')", "btrim(name, 'x')"],
    ["name LIKE 'a%'", "name ILIKE 'a%'"],
    ["name NOT LIKE 'a\\_%'", "name NOT ILIKE 'a\\\\_%'"],
    ["name LIKE 'a!_%' ESCAPE '!'", "name ILIKE 'a!_%' ESCAPE '!'"],
    ["name GLOB 'A*[0-9]?.txt'", "name ~ '^A.*[0-9].\\.txt$'"],
    ['CAST(name AS INTEGER)', 'CAST(name AS bigint)'],
    ['CAST(n AS REAL) / 2', 'CAST(n AS double precision) / 2'],
    [
      "d > datetime('now', '-7 days', 'start of day')",
      "d > date_trunc('second', date_trunc('day', ((now() AT TIME ZONE 'UTC') + interval '-7 day')))",
    ],
    ["date(d, '+1 month')", "CAST((CAST(d AS timestamp) + interval '+1 month') AS date)"],
    ["strftime('%Y', d)", "to_char(CAST(d AS timestamp), 'YYYY')"],
    [
      "datetime(1700000000, 'unixepoch')",
      "date_trunc('second', (to_timestamp(1700000000) AT TIME ZONE 'UTC'))",
    ],
    [
      "datetime('now', 'localtime')",
      "date_trunc('second', (((now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AT TIME ZONE current_setting('TimeZone')))",
    ],
  ])('%s → %s', (input, output) => {
    expect(translateExpression(input, ctx)).toBe(output);
  });

  it('refuses SQLite-only functions and operators', () => {
    expect(() => translateExpression('typeof(x) = "text"', ctx)).toThrow(UntranslatableSqlError);
    expect(() => translateExpression('name GLOB pattern', ctx)).toThrow(UntranslatableSqlError);
    expect(() => translateExpression("datetime(d, 'weekday 0')", ctx)).toThrow(UntranslatableSqlError);
  });
});
