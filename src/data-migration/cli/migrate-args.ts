import { parseArgs } from 'node:util';
import type { MigrateOptions } from '../phases/run-context';

export const MIGRATE_USAGE = `usage: migrate --source FILE.sqlite [--target URL] [--on-error stop|reject]
               [--orphans stop|reject|keep] [--null-keys stop|reject|rowid]
               [--long-names stop|shorten] [--invalid-utf8 windows-1252|latin1] [--report FILE]
               [--resume] [--reset-target] [--dry-run] [--jobs N] [--source-timezone ZONE]
               [--skip-table NAME]... [--no-verify] [--chunk-rows N] [--online [--abort] [--service URL]]

Copies the SQLite file into PostgreSQL and verifies the copy, reading one snapshot of the source.
  --target URL            postgres://user:password@host:5432/db (default: DATABASE_URL)
  --on-error stop|reject  stop at the first bad row (default), or set bad rows aside and exit 3
  --orphans stop|reject|keep
                          rows whose foreign key finds no parent (SQLite checks them only with
                          PRAGMA foreign_keys=ON): stop, set them aside (exit 3), or keep them all
                          with the foreign key created NOT VALID and the orphans listed in the
                          report (default: as --on-error)
  --null-keys stop|reject|rowid
                          rows with a NULL in a primary key that is not INTEGER PRIMARY KEY: stop,
                          set them aside (exit 3), or fill a one-column integer key from the rowid
                          (listed in the report) (default: as --on-error)
  --long-names stop|shorten
                          a table or column name over PostgreSQL's 63 bytes: stop (default), or
                          a 54-byte prefix and a hash of the name (the map in the report)
  --invalid-utf8 windows-1252|latin1
                          read text whose bytes are not UTF-8 in this encoding instead of refusing
                          it; the count per column is in the report (default: refuse)
  --report FILE           the JSON report (default data-migration-report.json)
  --resume                finish the interrupted run from the snapshot it kept (with --online: then
                          catch up from where it stopped, using the capture it left)
  --reset-target          drop the tables earlier runs created, empty the others, start over
  --dry-run               check and plan without writing to the target; print the DDL
  --jobs N                connections and threads loading at once (1–64, default 2)
  --source-timezone ZONE  the IANA zone naive date/times are in (default UTC)
  --skip-table NAME       leave a table out (repeatable)
  --no-verify             skip the verification
  --online                copy while other processes keep writing: capture changes with triggers
                          in the source, copy a snapshot, catch up, then cut over with writes held
                          for a moment; afterwards the source refuses writes (see README)
  --online --abort        remove everything an online run added to the source
  --service URL           with --online: the service running on the source (http://host:3000); it
                          holds its writes at the cut-over and switches to PostgreSQL (ADMIN_TOKEN)
  --chunk-rows N          rows per chunk, the unit of a transaction and of --resume (default 250000)

Exit codes: 0 migrated and verified, 1 failed, 2 usage error, 3 finished with rejected rows.
Also: migrate verify --help, migrate export --help (a psql script instead of a target).`;

export const VERIFY_USAGE = `usage: migrate verify --source FILE.sqlite [--target URL] [--report FILE] [--jobs N]
                      [--source-timezone ZONE] [--skip-table NAME]... [--chunk-rows N]
                      [--long-names stop|shorten] [--invalid-utf8 windows-1252|latin1]

Compares the target with a snapshot of the source as it is now: row counts, content digests,
key and date ranges, schema parity and sequences. Exit codes: 0 identical, 1 differences or failure,
2 usage error.`;

export const EXPORT_USAGE = `usage: migrate export --source FILE.sqlite --to-sql FILE.sql[.gz] [--on-error stop|reject]
                      [--report FILE] [--source-timezone ZONE] [--skip-table NAME]... [--chunk-rows N]

Writes one psql script that rebuilds the database where this tool cannot reach the target: the
tables, their rows as COPY blocks (the text migrate sends), keys, indexes, CHECKs, foreign keys,
views, sequences, and a closing check of every table's row count. Reads one snapshot of the source;
gzip-compressed when FILE ends in .gz. Load it into an empty database, then verify:
  psql -v ON_ERROR_STOP=1 -1 -f FILE.sql "$DATABASE_URL"
  npm run migrate -- verify --source FILE.sqlite --target "$DATABASE_URL"
  --on-error stop|reject  stop at the first bad row (default), or set bad rows aside and exit 3
  --report FILE           the JSON report (default data-migration-export.json); rejects beside it
Exit codes: 0 written, 1 failed (no script left), 2 usage error, 3 written with rejected rows.`;

export class UsageError extends Error {}

/** The command line as the run's options (the target still a URL, the report path still optional). */
export type ParsedCommand = Pick<
  MigrateOptions,
  | 'onError'
  | 'orphans'
  | 'nullKeys'
  | 'longNames'
  | 'invalidUtf8'
  | 'resume'
  | 'resetTarget'
  | 'dryRun'
  | 'jobs'
  | 'sourceZone'
  | 'skipTables'
  | 'verify'
  | 'chunkRows'
> & {
  command: 'migrate' | 'verify' | 'export';
  source: string;
  /** `export`: the script to write. */
  toSql?: string;
  target?: string;
  report?: string;
  online: boolean;
  abort: boolean;
  /** The service running on the source (`--service`), for an online cut-over through it. */
  service?: string;
};

const DEFAULT_CHUNK_ROWS = 250_000;

const OPTIONS = {
  source: { type: 'string' },
  target: { type: 'string' },
  'to-sql': { type: 'string' },
  'on-error': { type: 'string' },
  orphans: { type: 'string' },
  'null-keys': { type: 'string' },
  'long-names': { type: 'string' },
  'invalid-utf8': { type: 'string' },
  report: { type: 'string' },
  resume: { type: 'boolean' },
  'reset-target': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  'no-verify': { type: 'boolean' },
  online: { type: 'boolean' },
  abort: { type: 'boolean' },
  service: { type: 'string' },
  jobs: { type: 'string' },
  'chunk-rows': { type: 'string' },
  'source-timezone': { type: 'string' },
  'skip-table': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

const MIGRATE_ONLY = [
  'on-error',
  'orphans',
  'null-keys',
  'resume',
  'reset-target',
  'dry-run',
  'online',
  'abort',
] as const;
// An export has no target, no threads and nothing to resume or verify.
const NOT_EXPORT = [
  'target',
  'resume',
  'reset-target',
  'dry-run',
  'no-verify',
  'online',
  'abort',
  'service',
  'jobs',
] as const;
// An online run verifies the copy and every change it applies, and stops at the first bad row.
const NOT_ONLINE = ['dry-run', 'no-verify'] as const;

/** The usage of the subcommand when the arguments ask for help (`-h`, `--help`). */
export function requestedHelp(args: string[]): string | undefined {
  if (!args.some((a) => a === '-h' || a === '--help')) return undefined;
  return usageOf(args);
}

/** The usage text of the subcommand the arguments name. */
export function usageOf(args: string[]): string {
  return args[0] === 'verify' ? VERIFY_USAGE : args[0] === 'export' ? EXPORT_USAGE : MIGRATE_USAGE;
}

/** Parses the arguments after `migrate`. Throws UsageError with a message for the user. */
export function parseMigrateArgs(args: string[]): ParsedCommand {
  const command = args[0] === 'verify' ? 'verify' : args[0] === 'export' ? 'export' : 'migrate';
  const rest = command === 'migrate' ? args : args.slice(1);
  const { values, tokens } = readFlags(rest);
  if (values.help) throw new UsageError('');
  for (const t of tokens) {
    if (
      t.kind === 'option' &&
      t.name !== 'skip-table' &&
      tokens.filter((o) => o.kind === 'option' && o.name === t.name).length > 1
    )
      throw new UsageError(`--${t.name} given twice`);
  }
  if (!values.source) throw new UsageError('--source FILE.sqlite is required');
  if (command === 'export') {
    if (!values['to-sql']) throw new UsageError('export needs --to-sql FILE.sql (or FILE.sql.gz)');
    const clash = NOT_EXPORT.find((name) => values[name] !== undefined);
    if (clash) throw new UsageError(`export writes a script and cannot take --${clash}`);
  } else if (values['to-sql'] !== undefined) {
    throw new UsageError('--to-sql belongs to migrate export');
  }
  if (values.resume && values['reset-target'])
    throw new UsageError('--resume and --reset-target cannot be combined');
  if (values.abort && !values.online)
    throw new UsageError('--abort undoes an online run: use it with --online');
  if (values.online) {
    const clash = NOT_ONLINE.find((name) => values[name] !== undefined);
    if (clash) throw new UsageError(`--online cannot be combined with --${clash}`);
    if (values['on-error'] === 'reject' || values.orphans === 'reject' || values['null-keys'] === 'reject')
      throw new UsageError('--online stops at the first bad row: rejecting rows is not available');
  }
  if (command === 'verify' && MIGRATE_ONLY.some((name) => values[name] !== undefined))
    throw new UsageError('verify takes only --source, --target, --report, --jobs and --source-timezone');
  return {
    command,
    source: values.source,
    target: values.target,
    toSql: values['to-sql'],
    onError:
      oneOf(values['on-error'], ['stop', 'reject'] as const, '--on-error must be stop or reject') ?? 'stop',
    orphans: oneOf(
      values.orphans,
      ['stop', 'reject', 'keep'] as const,
      '--orphans must be stop, reject or keep',
    ),
    invalidUtf8: oneOf(
      values['invalid-utf8'],
      ['windows-1252', 'latin1'] as const,
      '--invalid-utf8 must be windows-1252 or latin1',
    ),
    longNames: oneOf(
      values['long-names'],
      ['stop', 'shorten'] as const,
      '--long-names must be stop or shorten',
    ),
    nullKeys: oneOf(
      values['null-keys'],
      ['stop', 'reject', 'rowid'] as const,
      '--null-keys must be stop, reject or rowid',
    ),
    report: values.report,
    resume: values.resume ?? false,
    resetTarget: values['reset-target'] ?? false,
    dryRun: values['dry-run'] ?? false,
    jobs: wholeNumber(values.jobs, 1, 64, '--jobs must be a whole number from 1 to 64') ?? 2,
    sourceZone: timeZone(values['source-timezone']),
    skipTables: values['skip-table'] ?? [],
    verify: !values['no-verify'],
    online: values.online ?? false,
    abort: values.abort ?? false,
    service: values.service,
    chunkRows:
      wholeNumber(values['chunk-rows'], 1, Infinity, '--chunk-rows must be a positive whole number') ??
      DEFAULT_CHUNK_ROWS,
  };
}

function readFlags(args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false, tokens: true });
  } catch (error) {
    const message = (error as Error).message;
    const name = /'(-[-\w]+)/.exec(message)?.[1] ?? '';
    const code = (error as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && /argument missing|ambiguous/.test(message))
      throw new UsageError(`${name.split(' ')[0]} needs a value`);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown argument "${name}"`);
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
      throw new UsageError(`unknown argument "${/'([^']*)'/.exec(message)?.[1] ?? ''}"`);
    throw new UsageError(message);
  }
}

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  message: string,
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${message} (got "${value}")`);
  return value as T;
}

function wholeNumber(
  value: string | undefined,
  min: number,
  max: number,
  message: string,
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max)
    throw new UsageError(`${message} (got "${value}")`);
  return Number(value);
}

function timeZone(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
  } catch {
    throw new UsageError(`--source-timezone "${value}" is not an IANA time zone (e.g. Europe/Berlin)`);
  }
  return value;
}
