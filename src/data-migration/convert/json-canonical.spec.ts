import { jsonbCanonical } from './json-canonical';
import { numericText } from './numeric-text';

describe('jsonbCanonical (jsonb text output)', () => {
  it.each([
    ['{"b": 1, "a": 2}', '{"a": 2, "b": 1}'],
    ['{"bb": 1, "a": 2, "c": 3}', '{"a": 2, "c": 3, "bb": 1}'],
    ['{"a": 1, "a": 2}', '{"a": 2}'],
    ['[1,2 ,3]', '[1, 2, 3]'],
    [' {} ', '{}'],
    ['[]', '[]'],
    ['1.50', '1.50'],
    ['1e2', '100'],
    ['1.5e1', '15'],
    ['1.50e1', '15.0'],
    ['1E-2', '0.01'],
    ['-0', '0'],
    ['"\\u00e9\\n\\/"', '"é\\n/"'],
    ['"\\ud83d\\ude00"', '"😀"'],
    ['"\\u001f"', '"\\u001f"'],
    ['null', 'null'],
    ['{"x": [true, false, null]}', '{"x": [true, false, null]}'],
    ['{"level":3,"kind":"eve.E","tags":["delta"]}', '{"kind": "eve.E", "tags": ["delta"], "level": 3}'],
    ['{"kind":"eve","n":1.50,"e":1E2}', '{"e": 100, "n": 1.50, "kind": "eve"}'],
    ['{"é":1,"z":2,"ab":3,"abc":4}', '{"z": 2, "ab": 3, "é": 1, "abc": 4}'],
    ['{"a\\"b":"x\\ty"}', '{"a\\"b": "x\\ty"}'],
  ])('%s → %s', (input, output) => {
    expect(jsonbCanonical(input)).toBe(output);
  });

  it.each(['{', '{"a" 1}', '[1,]', "{'a': 1}", '01', 'NaN', '"a\nb"', '"\\x"', '1 2'])(
    'refuses %p',
    (input) => {
      expect(() => jsonbCanonical(input)).toThrow(/invalid JSON/);
    },
  );
});

describe('numericText', () => {
  it.each([
    ['1.500', true, '1.500'],
    ['1.500', false, '1.5'],
    ['00012', false, '12'],
    ['-0.0', true, '0.0'],
    ['1e-3', false, '0.001'],
    ['.5', false, '0.5'],
    ['-12.34e2', false, '-1234'],
  ])('%s (keep scale %s) → %s', (input, keep, output) => {
    expect(numericText(input, keep)).toBe(output);
  });
});
