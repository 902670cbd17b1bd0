/** What a run reports: per table, per check, the snapshot it read, and the run as a whole. */
import type { BadRow, DdlStatement, NotCarried } from './plan';

export interface RangeCheck {
  column: string;
  source: { min: string | null; max: string | null };
  target: { min: string | null; max: string | null };
}

export interface TableVerification {
  table: string;
  sourceRows: number;
  targetRows: number;
  sourceChecksum: string;
  targetChecksum: string;
  ranges: RangeCheck[];
  ok: boolean;
  problems: string[];
  seconds: number;
}

/**
 * Count, checksum and min/max (range keys) of one side of a table or of one chunk of it, from the
 * rows' COPY text: what the load sent on the source side, what PostgreSQL prints for the stored rows
 * on the target side. Tables keyed by their rowid (an INTEGER PRIMARY KEY) get ordered digests, a SHA-256
 * over the text in key order per rowid chunk; other tables sum per-row digests (see CopyDigest).
 */
export interface TableDigest {
  rows: number;
  checksum: string;
  mins: (string | null)[];
  maxs: (string | null)[];
  /** The chunk an ordered digest covers; absent for summed digests. */
  chunk?: number;
}

/** `SELECT * FROM view` on both sides: as a multiset, or in order when the view orders. */
export interface ViewVerification {
  view: string;
  ordered: boolean;
  sourceRows: number;
  targetRows: number;
  ok: boolean;
  problem?: string;
  seconds: number;
}

export interface SequenceState {
  table: string;
  column: string;
  sequence: string;
  /** The highest id ever handed out: max(column) and, for AUTOINCREMENT, sqlite_sequence. */
  highWater: string;
  /** The value the next insert gets. */
  nextValue: string;
}

/**
 * A run reads one state of the source: a private copy taken at one instant, which nothing else
 * writes. Other processes may go on writing the source meanwhile; what they write after the instant
 * is not in this run.
 *
 * - WAL mode: SQLite's online backup API in one step, inside one read transaction. Readers do not
 *   block writers in WAL mode, so writers never wait for it.
 * - Rollback-journal modes: the file's bytes copied while this connection holds a read transaction
 *   (a SHARED lock, so no writer can commit half-way through the copy). Writers wait at most the
 *   length of the copy; a plain copy is about three times faster than the backup API.
 */
export interface SourceSnapshot {
  method: 'online-backup' | 'file-copy-under-shared-lock';
  /** The source's journal mode when the snapshot was taken. */
  journalMode: string;
  /** The private copy every reader of this run opens. */
  path: string;
  takenAt: string;
  /** How long the copy took (in rollback-journal mode, how long writers could have waited). */
  seconds: number;
  bytes: number;
  /** SQLite's schema cookie and page count of the state copied (with the file's sha256, its identity). */
  schemaVersion: number;
  pageCount: number;
}

export type ExitCode = 0 | 1 | 3;

export interface TableReport {
  table: string;
  created: boolean;
  rowsRead: number;
  rowsWritten: number;
  rowsRejected: number;
  seconds: number;
  verified: boolean | null;
  verification?: TableVerification;
  /** `export`: the count and COPY-text digest of the rows written (what `migrate verify` compares). */
  digest?: { rows: number; checksum: string };
}

export interface MigrationReport {
  command: 'migrate' | 'verify' | 'export';
  status: 'succeeded' | 'failed' | 'rejected' | 'dry-run';
  exitCode: ExitCode;
  startedAt: string;
  finishedAt?: string;
  runId?: string;
  /**
   * `path` is the file named; `snapshot` the private copy of one state of it that the run read,
   * `sha256` that copy's hash, and `unchanged` whether the copy was still the file the run began
   * reading, unwritten (its size, modification time and inode), when the run ended.
   */
  source: {
    path: string;
    sha256?: string;
    unchanged?: boolean;
    snapshot?: SourceSnapshot & { resumed: boolean; kept: boolean };
  };
  target: string;
  options: Record<string, unknown>;
  preflight: { quickCheck?: string; serverVersion?: string; warnings: string[]; foreignKeyOrphans?: number };
  tables: TableReport[];
  created: DdlStatement[];
  notCarried: NotCarried[];
  sequences: SequenceState[];
  /** Values that were not UTF-8 and were read in a legacy encoding (`--invalid-utf8`), per column. */
  decodedText?: { table: string; column: string; rows: number; encoding: string }[];
  /** Created tables and columns whose names were shortened to fit 63 bytes (`--long-names shorten`). */
  renamed?: { table: string; column: string | null; to: string }[];
  /** Primary-key NULLs filled from the rowid (`--null-keys rowid`): per table and column, how many rows. */
  filledKeys?: { table: string; column: string; rows: number }[];
  /** Foreign-key orphans kept under `--orphans keep` (their foreign keys created NOT VALID). */
  orphans?: KeptOrphan[];
  verification?: {
    ok: boolean;
    schemaProblems: string[];
    sequenceProblems: string[];
    /** Every carried view's rows compared on both sides (a differing view is also a schema problem). */
    views?: ViewVerification[];
    seconds: number;
  };
  rejectsDirectory?: string;
  /** `export`: the script written (its uncompressed size). */
  export?: { path: string; bytes: number; gzip: boolean };
  online?: OnlineReport;
  failure?: { message: string; badRow?: BadRow };
  timings: Record<string, number>;
}

/** A source row whose foreign key points at no parent row, loaded as it is (`--orphans keep`). */
export interface KeptOrphan {
  table: string;
  rowid: string | null;
  /** The primary key, for a WITHOUT ROWID table. */
  key: unknown[] | null;
  column: string;
  reason: string;
}

/** What an online run did to the source and how its catch-up and cut-over went. */
export interface OnlineReport {
  /** Objects the run added to the source (change log, state, triggers) and removed again. */
  added: string[];
  removed: string[];
  /** The change-log position the snapshot (and so the copy) includes. */
  snapshotPosition: string;
  /**
   * `--online --resume` of a killed run: the capture it left in place (since `capturingSince`) is
   * used as it is, and the catch-up goes on from the position the target had applied.
   */
  resumed?: { capturingSince: string; fromPosition: string; copyVerifiedBefore: boolean };
  catchUp: { windows: number; changes: number; rowsMerged: number; rowsDeleted: number; seconds: number };
  cutover?: {
    /** From the moment writers were held (the source's write lock taken) to the moment it was released. */
    pauseMs: number;
    /**
     * Where the pause went: the last changes, the row counts, the sequences, marking the file moved;
     * then, after the source's lock (the service's writes still held), creating the carried triggers.
     */
    steps: { applyMs: number; countMs: number; sequencesMs: number; markMs: number; triggersMs: number };
    finalChanges: number;
    movedTo: string;
    /** Triggers left on the source that refuse every write, naming where the data went. */
    refusingTriggers: string[];
    /** With `--service`: how long the service held its writes (hold to switch), as it measured. */
    service?: { url: string; drainedMs: number; heldMs: number };
  };
}
