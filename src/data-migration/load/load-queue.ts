import type { Chunk, PlannedTable } from '../model/plan';
import { AbortedError } from './copy-batches';

/** One unit of load work: a chunk of a table, or (chunk null) a table with nothing left to copy. */
export interface LoadTask {
  table: PlannedTable;
  chunk: Chunk | null;
}

/**
 * The load's work list, shared by its jobs: a task is handed out once every parent its table has
 * on the target is finished (so foreign keys on existing tables hold as rows arrive), and the
 * first failure stops every job at its next task.
 */
export class LoadQueue {
  private readonly waiters: (() => void)[] = [];
  private readonly planned: Set<string>;
  private failure: unknown;

  constructor(
    private readonly tasks: LoadTask[],
    readonly finished: Set<string>,
    tables: PlannedTable[],
  ) {
    this.planned = new Set(tables.map((t) => t.name));
  }

  get failed(): unknown {
    return this.failure;
  }

  /** The next task whose table may load now; undefined when there is none left or a job failed. */
  async next(): Promise<LoadTask | undefined> {
    for (;;) {
      if (this.failure !== undefined) return undefined;
      const i = this.tasks.findIndex((task) => this.ready(task.table));
      if (i >= 0) return this.tasks.splice(i, 1)[0];
      if (this.tasks.length === 0) return undefined;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  tableFinished(name: string): void {
    this.finished.add(name);
    this.wake();
  }

  /** Keeps the first real failure: a job that gave up because another failed is not the cause. */
  fail(error: unknown): void {
    if (
      this.failure === undefined ||
      (this.failure instanceof AbortedError && !(error instanceof AbortedError))
    )
      this.failure = error;
    this.wake();
  }

  private ready(t: PlannedTable): boolean {
    return t.parents.every((p) => !this.planned.has(p) || this.finished.has(p) || p === t.name);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
