/** Polls `probe` every `everyMs` until it is true; the milliseconds that took, or a throw naming `what`. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  withinMs: number,
  everyMs = 100,
): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < withinMs) {
    if (await probe()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`${what} did not happen within ${withinMs} ms`);
}
