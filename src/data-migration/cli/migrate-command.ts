import { existsSync } from 'node:fs';
import { ConfigError, loadConfig, type PostgresSettings } from '../../config/app-config';
import { DatabaseUrlError, maskSecrets } from '../../config/database-url';
import { MigrationRunner, type MigrateOptions } from '../migration-runner';

export const USAGE = `usage:
  migrate --source FILE.sqlite [--target URL] [--on-error stop|reject] [--report FILE]
          [--resume] [--reset-target] [--dry-run] [--jobs N] [--source-timezone ZONE]
          [--skip-table NAME]... [--no-verify]
  migrate verify --source FILE.sqlite [--target URL] [--report FILE] [--jobs N] [--source-timezone ZONE]

--target defaults to DATABASE_URL. Exit codes: 0 migrated and verified, 1 failed, 2 usage error,
3 finished with rejected rows (--on-error reject).`;

export class UsageError extends Error {}

export interface ParsedCommand {
  command: 'migrate' | 'verify';
  source: string;
  target?: string;
  onError: 'stop' | 'reject';
  report?: string;
  resume: boolean;
  resetTarget: boolean;
  dryRun: boolean;
  jobs: number;
  sourceZone?: string;
  skipTables: string[];
  verify: boolean;
  chunkRows: number;
}

const DEFAULT_CHUNK_ROWS = 250_000;

/** Parses the arguments after `migrate`. Throws UsageError with a message for the user. */
export function parseMigrateArgs(args: string[]): ParsedCommand {
  const rest = [...args];
  let command: ParsedCommand['command'] = 'migrate';
  if (rest[0] === 'verify') {
    command = 'verify';
    rest.shift();
  }
  const parsed: Partial<ParsedCommand> & { skipTables: string[] } = { skipTables: [] };
  const flags = new Set<string>();
  while (rest.length > 0) {
    const arg = rest.shift() ?? '';
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      const v = inline ?? rest.shift();
      if (v === undefined || (inline === undefined && v.startsWith('--')))
        throw new UsageError(`${name} needs a value`);
      return v;
    };
    if (flags.has(name) && name !== '--skip-table') throw new UsageError(`${name} given twice`);
    flags.add(name);
    switch (name) {
      case '--source':
        parsed.source = value();
        break;
      case '--target':
        parsed.target = value();
        break;
      case '--on-error': {
        const v = value();
        if (v !== 'stop' && v !== 'reject')
          throw new UsageError(`--on-error must be stop or reject (got "${v}")`);
        parsed.onError = v;
        break;
      }
      case '--report':
        parsed.report = value();
        break;
      case '--resume':
        parsed.resume = true;
        break;
      case '--reset-target':
        parsed.resetTarget = true;
        break;
      case '--dry-run':
        parsed.dryRun = true;
        break;
      case '--no-verify':
        parsed.verify = false;
        break;
      case '--jobs': {
        const v = value();
        if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 64)
          throw new UsageError(`--jobs must be a whole number from 1 to 64 (got "${v}")`);
        parsed.jobs = Number(v);
        break;
      }
      case '--chunk-rows': {
        const v = value();
        if (!/^\d+$/.test(v) || Number(v) < 1)
          throw new UsageError(`--chunk-rows must be a positive whole number (got "${v}")`);
        parsed.chunkRows = Number(v);
        break;
      }
      case '--source-timezone': {
        const v = value();
        try {
          new Intl.DateTimeFormat('en-US', { timeZone: v });
        } catch {
          throw new UsageError(`--source-timezone "${v}" is not an IANA time zone (e.g. Europe/Berlin)`);
        }
        parsed.sourceZone = v;
        break;
      }
      case '--skip-table':
        parsed.skipTables.push(value());
        break;
      case '-h':
      case '--help':
        throw new UsageError('');
      default:
        throw new UsageError(`unknown argument "${arg}"`);
    }
  }
  if (!parsed.source) throw new UsageError('--source FILE.sqlite is required');
  if (parsed.resume && parsed.resetTarget)
    throw new UsageError('--resume and --reset-target cannot be combined');
  if (command === 'verify' && (parsed.resume || parsed.resetTarget || parsed.dryRun || parsed.onError)) {
    throw new UsageError('verify takes only --source, --target, --report, --jobs and --source-timezone');
  }
  return {
    command,
    source: parsed.source,
    target: parsed.target,
    onError: parsed.onError ?? 'stop',
    report: parsed.report,
    resume: parsed.resume ?? false,
    resetTarget: parsed.resetTarget ?? false,
    dryRun: parsed.dryRun ?? false,
    jobs: parsed.jobs ?? 2,
    sourceZone: parsed.sourceZone,
    skipTables: parsed.skipTables,
    verify: parsed.verify ?? true,
    chunkRows: parsed.chunkRows ?? DEFAULT_CHUNK_ROWS,
  };
}

/** Resolves --target (or DATABASE_URL through the app's own config) to PostgreSQL settings. */
export function resolveTarget(
  target: string | undefined,
  env: Record<string, string | undefined>,
): PostgresSettings {
  const config = loadConfig(target === undefined ? env : { ...env, DATABASE_URL: target });
  if (config.database.kind !== 'postgres') {
    throw new UsageError(
      'the target must be a PostgreSQL URL (postgres://user:password@host:5432/db), not SQLite',
    );
  }
  return config.database;
}

/** `main.ts migrate …`: parse, run, print, and return the exit code (0, 1, 2 or 3). */
export async function runMigrateCommand(
  args: string[],
  env: Record<string, string | undefined> = process.env,
  out: NodeJS.WriteStream = process.stdout,
  err: NodeJS.WriteStream = process.stderr,
): Promise<number> {
  let parsed: ParsedCommand;
  let target: PostgresSettings;
  try {
    parsed = parseMigrateArgs(args);
    if (!existsSync(parsed.source)) throw new UsageError(`--source ${parsed.source}: no such file`);
    target = resolveTarget(parsed.target, env);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof DatabaseUrlError) {
      if (error.message) err.write(maskSecrets(error.message) + '\n\n');
      err.write(USAGE + '\n');
      return 2;
    }
    throw error;
  }
  const options: MigrateOptions = {
    sourcePath: parsed.source,
    target,
    onError: parsed.onError,
    reportPath:
      parsed.report ??
      (parsed.command === 'verify' ? 'data-migration-verify.json' : 'data-migration-report.json'),
    resume: parsed.resume,
    resetTarget: parsed.resetTarget,
    dryRun: parsed.dryRun,
    jobs: parsed.jobs,
    sourceZone: parsed.sourceZone,
    skipTables: parsed.skipTables,
    chunkRows: parsed.chunkRows,
    verify: parsed.verify,
    out,
  };
  const runner = new MigrationRunner(options);
  const report = parsed.command === 'verify' ? await runner.verifyOnly() : await runner.migrate();
  return report.exitCode;
}
