/**
 * A double as PostgreSQL's float8out prints it (extra_float_digits = 1, the default): the shortest
 * digits that read back to the same value, fixed-point for 1e-4 ≤ |x| < 1e15 and `d.ddde±XX`
 * outside. JavaScript finds the same shortest digits and prints that range fixed-point too.
 */
export function pgDoubleText(n: number, fixedBelow = 1e15): string {
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
  const a = Math.abs(n);
  if (a >= 1e-4 && a < fixedBelow) return String(n);
  const e = n.toExponential();
  const at = e.indexOf('e');
  const exponent = e.slice(at + 2);
  return e.slice(0, at + 2) + (exponent.length < 2 ? '0' + exponent : exponent);
}

/**
 * A single-precision value as float4out prints it: its shortest digits, formatted like pgDoubleText
 * but fixed-point only below 1e6.
 */
export function pgRealText(f: number): string {
  if (f === 0 || !Number.isFinite(f)) return pgDoubleText(f);
  for (let digits = 1; digits < 9; digits++) {
    const shortest = Number(f.toPrecision(digits));
    if (Math.fround(shortest) === f) return pgDoubleText(shortest, 1e6);
  }
  return pgDoubleText(Number(f.toPrecision(9)), 1e6);
}
