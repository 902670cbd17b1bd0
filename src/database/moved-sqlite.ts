import Database from 'better-sqlite3';
import type { AppConfig } from '../config/app-config';
import { readCaptureState } from '../data-migration/source/capture';

/**
 * Where an SQLite file's data went, when an online migration's cut-over has marked it moved (its
 * writes are refused from then on); undefined for a file that was not moved.
 */
export function movedTo(path: string): { movedTo: string; movedAt: string } | undefined {
  if (path === ':memory:') return undefined;
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch {
    return undefined; // a new file: the service creates it
  }
  try {
    const state = readCaptureState(db);
    return state?.status === 'moved'
      ? { movedTo: state.movedTo ?? '?', movedAt: state.movedAt ?? '?' }
      : undefined;
  } finally {
    db.close();
  }
}

/**
 * The database a starting service uses: DATABASE_URL, unless it names an SQLite file an online
 * migration moved: then CUTOVER_DATABASE_URL if set, or a refusal naming where the data went.
 */
export function startingDatabase(config: AppConfig): { config: AppConfig } | { refusal: string } {
  if (config.database.kind !== 'sqlite') return { config };
  const path = config.database.path;
  const moved = movedTo(path);
  if (!moved) return { config };
  if (config.cutoverDatabase)
    return {
      config: config.withDatabase(
        config.cutoverDatabase,
        `${path} was moved to PostgreSQL ${moved.movedTo} at ${moved.movedAt}: starting on CUTOVER_DATABASE_URL`,
      ),
    };
  return {
    refusal: `${path} was moved to PostgreSQL ${moved.movedTo} at ${moved.movedAt} and refuses writes: set DATABASE_URL to that database (or CUTOVER_DATABASE_URL, to start there), or, to switch back to SQLite, run \`npm run migrate -- --online --abort --source ${path}\` first (what was written to PostgreSQL since is not in the file)`,
  };
}
