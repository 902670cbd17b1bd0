import { Injectable } from '@nestjs/common';

/**
 * Holds the service's write requests while a cut-over moves its database: a held gate delays new
 * writes (they wait, they are not refused) and lets the ones in flight finish. Reads never wait.
 */
@Injectable()
export class WriteGate {
  private inFlight = 0;
  private drained: (() => void)[] = [];
  private held: { opened: Promise<void>; open: () => void } | undefined;

  get isHeld(): boolean {
    return this.held !== undefined;
  }

  /** Waits while the gate is held, then counts the request in until `leave`. */
  async enter(): Promise<void> {
    while (this.held) await this.held.opened;
    this.inFlight++;
  }

  leave(): void {
    this.inFlight--;
    if (this.inFlight === 0) for (const done of this.drained.splice(0)) done();
  }

  /** Holds new writes and resolves once none is in flight (or rejects after `timeoutMs`, released). */
  async hold(timeoutMs: number): Promise<void> {
    if (!this.held) {
      let open = (): void => undefined;
      const opened = new Promise<void>((r) => (open = r));
      this.held = { opened, open };
    }
    if (this.inFlight === 0) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        new Promise<void>((r) => this.drained.push(r)),
        new Promise<never>((_r, reject) => {
          timer = setTimeout(
            () => reject(new Error(`${this.inFlight} write(s) still in flight after ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    } catch (error) {
      this.release();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  release(): void {
    const held = this.held;
    this.held = undefined;
    held?.open();
  }
}
