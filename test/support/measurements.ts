/** Prints a measured number on its own line, so a test run's log keeps the figures behind the verdicts. */
export function reportMeasurement(suite: string, what: string, value: string | number): void {
  process.stderr.write(`[measure] ${suite}: ${what} = ${value}\n`);
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
