import type { LegacyEncoding } from '../model/plan';

// Windows-1252's 0x80–0x9F (Latin-1 has C1 controls there); the five unassigned bytes stay controls.
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d,
  0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a,
  0x153, 0x9d, 0x17e, 0x178,
];

/**
 * The bytes as text in `encoding`. Node's TextDecoder reads "windows-1252" as Latin-1 (0x80 is
 * U+0080, not €), so the 32 bytes where the two differ are mapped here.
 */
export function decodeLegacy(bytes: Buffer, encoding: LegacyEncoding): string {
  let out = '';
  for (const b of bytes) {
    const high = encoding === 'windows-1252' && b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80] : undefined;
    out += String.fromCharCode(high ?? b);
  }
  return out;
}
