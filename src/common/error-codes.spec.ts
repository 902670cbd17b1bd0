import { checkGenerated } from '../../test/support/doc-section';
import { ERROR_CODES } from './error-codes';

/** The README's error table, made from ERROR_CODES. */
function errorCodesTable(): string {
  const rows = Object.entries(ERROR_CODES).map(
    ([code, { status, meaning }]) => `| \`${code}\` | ${status === 0 ? 'any' : status} | ${meaning} |`,
  );
  return ['| code | status | meaning |', '|---|---|---|', ...rows].join('\n');
}

describe('error codes', () => {
  it("are listed in the README's error table (UPDATE_DOCS=1 npm run test:unit -- error-codes rewrites it)", () => {
    expect(checkGenerated('README.md', 'error-codes', errorCodesTable())).toBe(errorCodesTable());
  });

  it('are upper snake case, each with a meaning', () => {
    for (const [code, { meaning }] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[A-Z]+(_[A-Z]+)*$/);
      expect(meaning.length).toBeGreaterThan(10);
    }
  });
});
