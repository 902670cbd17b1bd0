/** Progress while tables load: a redrawn bar line on a TTY, plain lines every few seconds otherwise. */
export class Progress {
  private readonly read = new Map<string, number>();
  private readonly totals = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private lastLine = 0;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly quiet = false,
  ) {}

  start(totals: Map<string, number>): void {
    for (const [t, n] of totals) this.totals.set(t, n);
    if (this.quiet) return;
    this.timer = setInterval(() => this.draw(), this.out.isTTY ? 250 : 5000);
    this.timer.unref();
  }

  add(table: string, rows: number): void {
    this.read.set(table, (this.read.get(table) ?? 0) + rows);
  }

  line(text: string): void {
    if (this.quiet) return;
    if (this.out.isTTY && this.lastLine > 0) this.out.write('\r\x1b[K');
    this.lastLine = 0;
    this.out.write(text + '\n');
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.out.isTTY && this.lastLine > 0) this.out.write('\r\x1b[K');
    this.lastLine = 0;
  }

  private draw(): void {
    let done = 0;
    let total = 0;
    for (const [t, n] of this.totals) {
      total += n;
      done += Math.min(this.read.get(t) ?? 0, n);
    }
    const share = total === 0 ? 1 : done / total;
    if (this.out.isTTY) {
      const width = 30;
      const filled = Math.round(share * width);
      const text = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(share * 100).toFixed(1)}%  ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} rows`;
      this.out.write('\r\x1b[K' + text);
      this.lastLine = text.length;
    } else {
      this.out.write(`progress: ${done}/${total} rows (${(share * 100).toFixed(1)}%)\n`);
    }
  }
}
