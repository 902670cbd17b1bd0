import type { BadRow } from '../model/plan';

// The characters COPY TO escapes; COPY FROM reads the same escapes back.
const NEEDS_ESCAPE = /[\\\n\r\t\b\f\v]/;
const EACH_ESCAPE = new RegExp(NEEDS_ESCAPE.source, 'g');
const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
  '\v': '\\v',
};

/**
 * Escapes a value for PostgreSQL's COPY text format exactly as COPY TO writes it (the caller writes
 * `\N` for NULL), so the text sent can be compared with the text read back.
 */
export function escapeCopy(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(EACH_ESCAPE, (c) => ESCAPES[c] ?? c);
}

/** One row's COPY line (without its newline); `plain` values need no escaping. `cells` is scratch space. */
export function copyLine(values: (string | null)[], plain: boolean[], cells: string[] = []): string {
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    cells[i] = v === null || v === undefined ? '\\N' : plain[i] ? v : escapeCopy(v);
  }
  return cells.join('\t');
}

/**
 * Reject records as COPY text for the rejects table: per record the `lead` cells (run, table,
 * chunk: whatever the statement's columns before them), then its rowid and its JSON.
 */
export function rejectCopyText(lead: string[], rejects: BadRow[]): Buffer {
  const plain = [...lead.map(() => false), true, false];
  const cells: string[] = [];
  const lines = rejects.map((r) => copyLine([...lead, r.rowid, JSON.stringify(r)], plain, cells));
  lines.push('');
  return Buffer.from(lines.join('\n'), 'utf8');
}
