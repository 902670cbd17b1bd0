import { decodeLegacy } from './legacy-text';

describe('decodeLegacy', () => {
  it('reads Windows-1252 bytes, € and curly quotes included', () => {
    expect(
      decodeLegacy(
        Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x20, 0x80, 0x35, 0x20, 0x93, 0x78, 0x94]),
        'windows-1252',
      ),
    ).toBe('Café €5 \u201cx\u201d');
  });
  it('reads Latin-1 bytes one to one', () => {
    expect(decodeLegacy(Buffer.from([0xe9, 0x80, 0xff]), 'latin1')).toBe('\u00e9\u0080\u00ff');
  });
});
