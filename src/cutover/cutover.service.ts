import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { AppConfig } from '../config/app-config';
import { DatabaseConnection } from '../database/database-connection';
import { movedTo } from '../database/moved-sqlite';
import { WriteGate } from './write-gate';

export class CutoverRefusedError extends AppError {
  readonly code = 'CUTOVER_REFUSED';
}

// In-flight writes get this long to finish once the gate is held.
const DRAIN_TIMEOUT_MS = 10_000;
// If the migration tool neither switches nor releases within this time (it died), the file decides.
const WATCHDOG_MS = 30_000;
// The replaced SQLite connection closes once reads that began on it have had time to finish.
const CLOSE_PREVIOUS_AFTER_MS = 5_000;

/**
 * The service's side of an online migration's cut-over, driven by `migrate --online --service`:
 * `hold` opens the PostgreSQL of CUTOVER_DATABASE_URL and holds new writes at the gate until the ones
 * in flight are done; the tool then applies the last changes and marks the SQLite file moved;
 * `switch` points the service at PostgreSQL and lets the held writes through there. Reads are served
 * throughout. Should the tool vanish in between, the watchdog switches if the file was marked moved
 * and releases the gate (staying on SQLite) if not, so no state is left half-way.
 */
@Injectable()
export class CutoverService implements OnModuleDestroy {
  private readonly logger = new Logger(CutoverService.name);
  private heldAt: number | undefined;
  private watchdog: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: DatabaseConnection,
    private readonly gate: WriteGate,
    private readonly config: AppConfig,
  ) {}

  async hold(): Promise<{ held: true; drainedMs: number }> {
    const sqlite = this.sqlitePath();
    const target = this.config.cutoverDatabase;
    if (!target)
      throw new CutoverRefusedError(
        'CUTOVER_DATABASE_URL is not set: this instance has no PostgreSQL to switch to',
      );
    if (movedTo(sqlite))
      throw new CutoverRefusedError(`${sqlite} was already moved: a second cut-over is refused`);
    await this.db.prepareSwitch(target).catch((error: unknown) => {
      throw new CutoverRefusedError(`cannot open CUTOVER_DATABASE_URL: ${(error as Error).message}`);
    });
    const started = Date.now();
    await this.gate.hold(DRAIN_TIMEOUT_MS).catch((error: unknown) => {
      throw new CutoverRefusedError(`writes did not drain: ${(error as Error).message}`);
    });
    this.heldAt = Date.now();
    this.arm();
    this.logger.log('Cut-over: writes held');
    return { held: true, drainedMs: this.heldAt - started };
  }

  switch(): { switched: true; heldMs: number } {
    const sqlite = this.sqlitePath();
    if (!this.db.switchPrepared || !this.gate.isHeld)
      throw new CutoverRefusedError('no cut-over is in progress (hold first)');
    if (!movedTo(sqlite))
      throw new CutoverRefusedError(`${sqlite} is not marked moved: the migration has not cut over`);
    const heldMs = Date.now() - (this.heldAt ?? Date.now());
    this.switchNow();
    return { switched: true, heldMs };
  }

  /** Gives up the cut-over: writes go on, on SQLite. */
  async release(): Promise<{ released: true }> {
    this.disarm();
    this.gate.release();
    await this.db.dropPreparedSwitch();
    this.logger.warn('Cut-over released: writes continue on SQLite');
    return { released: true };
  }

  async onModuleDestroy(): Promise<void> {
    this.disarm();
    await this.db.dropPreparedSwitch();
  }

  private switchNow(): void {
    if (!this.db.switchPrepared) return;
    this.disarm();
    this.db.switchToPrepared(CLOSE_PREVIOUS_AFTER_MS);
    this.gate.release();
    this.logger.log('Cut-over: switched to PostgreSQL, writes released');
  }

  private sqlitePath(): string {
    const file = this.db.sqliteFile;
    if (!file)
      throw new CutoverRefusedError(
        'this instance does not run on an SQLite file: there is nothing to cut over',
      );
    return file;
  }

  private arm(): void {
    this.disarm();
    this.watchdog = setTimeout(() => {
      const file = this.db.sqliteFile;
      const moved = file !== undefined && movedTo(file) !== undefined;
      this.logger.warn(
        `Cut-over: no word from the migration for ${WATCHDOG_MS} ms; the file is ${moved ? 'moved: switching' : 'not moved: releasing'}`,
      );
      if (moved) this.switchNow();
      else void this.release();
    }, WATCHDOG_MS);
    this.watchdog.unref();
  }

  private disarm(): void {
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
  }
}
