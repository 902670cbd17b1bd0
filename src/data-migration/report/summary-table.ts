export interface SummaryRow {
  table: string;
  read: number;
  written: number;
  rejected: number;
  verified: boolean | null;
  seconds: number;
}

/** The per-table summary printed at the end of a run. */
export function formatSummary(rows: SummaryRow[]): string {
  const head = ['table', 'rows read', 'written', 'rejected', 'verified', 'time'];
  const body = rows.map((r) => [
    r.table,
    String(r.read),
    String(r.written),
    String(r.rejected),
    r.verified === null ? '-' : r.verified ? 'yes' : 'NO',
    `${r.seconds.toFixed(2)}s`,
  ]);
  return formatTable(head, body);
}

/** Rows of cells in columns: the first left-aligned, the others right-aligned, under a rule. */
export function formatTable(head: string[], body: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const fmt = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [fmt(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(fmt)].join('\n');
}
