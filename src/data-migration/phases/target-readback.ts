import type pg from 'pg';
import type { PostgresSettings } from '../../config/app-config';
import type { Chunk, PlannedTable } from '../model/plan';
import type { TableDigest } from '../model/report';
import { closeSession, openSession } from '../target/sessions';
import { orderKey } from '../verify/source-digest';
import { mergeDigests, targetDigest, targetRanges } from '../verify/table-verifier';

/** One table's reading: the parts still to read and those read. */
interface Reading {
  left: number;
  parts: TableDigest[];
  failed: boolean;
  resolve(digest: TableDigest): void;
  reject(error: unknown): void;
}

interface Read {
  t: PlannedTable;
  chunk: Chunk | undefined;
  reading: Reading;
}

/**
 * The target half of verification: each table's stored rows read back (per chunk in key order, or
 * whole for a keyless table), then the extremes of its range columns, on up to `sessions` readback
 * sessions. A verifying load hands each
 * table over as soon as its rows are final (after its keys and indexes), so the reading overlaps
 * the rest of the load and the foreign keys; verification hands over the rest and waits.
 */
export class TargetReadback {
  private readonly queue: Read[] = [];
  private readonly tables = new Map<string, Promise<TableDigest>>();
  private workers = 0;

  constructor(
    private readonly target: PostgresSettings,
    private readonly sessions: number,
  ) {}

  /** Starts reading `t` back (once): `chunks` are the load's, used when the table has an order key. */
  read(t: PlannedTable, chunks: Chunk[]): void {
    if (this.tables.has(t.name)) return;
    const whole: Chunk = { index: 0, lo: null, hi: null, rows: 0 };
    const parts: (Chunk | undefined)[] = !orderKey(t) ? [undefined] : chunks.length > 0 ? chunks : [whole];
    let reading: Reading | undefined;
    const digests = new Promise<TableDigest>((resolve, reject) => {
      reading = { left: parts.length, parts: [], failed: false, resolve, reject };
    });
    // A failure is reported by whoever asks for the digests, not as an unhandled rejection.
    digests.catch(() => undefined);
    this.tables.set(t.name, digests);
    if (!reading) return;
    for (const chunk of parts) this.queue.push({ t, chunk, reading });
    while (this.workers < this.sessions && this.workers < this.queue.length) {
      this.workers++;
      void this.work();
    }
  }

  /** True when `t` is being or has been read back. */
  has(t: PlannedTable): boolean {
    return this.tables.has(t.name);
  }

  /** `t`'s digest (its parts merged) and the extremes of its range columns, once read. */
  digest(t: PlannedTable): Promise<TableDigest> {
    return this.tables.get(t.name) ?? Promise.reject(new Error(`"${t.name}" was not read back`));
  }

  /** Reads nothing more (the run failed): what is being read finishes, the rest is dropped. */
  stop(): void {
    this.queue.length = 0;
  }

  /** Forgets what was read of `t` (its rows changed since), so `read` starts over. */
  forget(t: PlannedTable): void {
    this.tables.delete(t.name);
  }

  private async work(): Promise<void> {
    let client: pg.Client | undefined;
    try {
      for (let r = this.queue.shift(); r; r = this.queue.shift()) {
        const { t, chunk, reading } = r;
        if (reading.failed) continue;
        try {
          client ??= await openSession(this.target, 'readback');
          reading.parts.push(await targetDigest(client, t, chunk));
          if (--reading.left === 0)
            reading.resolve({ ...mergeDigests(reading.parts), ...(await targetRanges(client, t)) });
        } catch (error) {
          reading.failed = true;
          reading.reject(error);
        }
      }
    } finally {
      // Counted out as soon as the queue is seen empty, so a later read starts a worker of its own.
      this.workers--;
      await closeSession(client);
    }
  }
}
