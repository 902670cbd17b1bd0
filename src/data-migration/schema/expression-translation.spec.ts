import {
  translateExpression,
  UntranslatableSqlError,
  type TranslationContext,
} from './expression-translation';

const names = ['Order Details', 'Products', 'Discontinued', 'active', 'UnitPrice', 'order'];
const ctx: TranslationContext = {
  resolve: (n) => names.find((x) => x.toLowerCase() === n.toLowerCase()),
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
  ])('%s → %s', (input, output) => {
    expect(translateExpression(input, ctx)).toBe(output);
  });

  it('refuses SQLite-only functions and operators', () => {
    expect(() => translateExpression('typeof(x) = "text"', ctx)).toThrow(UntranslatableSqlError);
    expect(() => translateExpression("name GLOB 'a*'", ctx)).toThrow(UntranslatableSqlError);
  });
});
