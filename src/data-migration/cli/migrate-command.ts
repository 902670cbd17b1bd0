import { existsSync } from 'node:fs';
import { ConfigError, type PostgresSettings } from '../../config/app-config';
import { DatabaseUrlError, maskSecrets } from '../../config/database-url';
import { MigrationRunner } from '../migration-runner';
import { removeCapture } from '../source/capture';
import { parseMigrateArgs, requestedHelp, usageOf, UsageError } from './migrate-args';
import { NO_TARGET, resolveTarget } from './target-settings';

const DEFAULT_REPORT = {
  migrate: 'data-migration-report.json',
  verify: 'data-migration-verify.json',
  export: 'data-migration-export.json',
} as const;

/** `main.ts migrate …`: parse, run, print, and return the exit code (0, 1, 2 or 3). */
export async function runMigrateCommand(
  args: string[],
  env: Record<string, string | undefined> = process.env,
  out: NodeJS.WriteStream = process.stdout,
  err: NodeJS.WriteStream = process.stderr,
): Promise<number> {
  const help = requestedHelp(args);
  if (help) {
    out.write(help + '\n');
    return 0;
  }
  let target: PostgresSettings;
  const parsed = parse(args, err);
  if (typeof parsed === 'number') return parsed;
  const usage = usageOf(args);
  if (parsed.abort) return abortOnline(parsed.source, out, err);
  try {
    if (!existsSync(parsed.source)) throw new UsageError(`--source ${parsed.source}: no such file`);
    target = parsed.command === 'export' ? NO_TARGET : resolveTarget(parsed.target, env);
  } catch (error) {
    return usageFailure(error, err, usage);
  }
  const runner = new MigrationRunner({
    sourcePath: parsed.source,
    target,
    onError: parsed.onError,
    orphans: parsed.orphans,
    nullKeys: parsed.nullKeys,
    longNames: parsed.longNames,
    invalidUtf8: parsed.invalidUtf8,
    reportPath: parsed.report ?? DEFAULT_REPORT[parsed.command],
    resume: parsed.resume,
    resetTarget: parsed.resetTarget,
    dryRun: parsed.dryRun,
    jobs: parsed.jobs,
    sourceZone: parsed.sourceZone,
    skipTables: parsed.skipTables,
    chunkRows: parsed.chunkRows,
    verify: parsed.verify,
    online: parsed.online,
    service: parsed.service === undefined ? undefined : { url: parsed.service, token: env.ADMIN_TOKEN },
    toSql: parsed.toSql,
    out,
  });
  const report =
    parsed.command === 'verify'
      ? await runner.verifyOnly()
      : parsed.command === 'export'
        ? await runner.export()
        : await runner.migrate();
  return report.exitCode;
}

function parse(args: string[], err: NodeJS.WriteStream): ReturnType<typeof parseMigrateArgs> | number {
  try {
    return parseMigrateArgs(args);
  } catch (error) {
    return usageFailure(error, err, usageOf(args));
  }
}

function usageFailure(error: unknown, err: NodeJS.WriteStream, usage: string): number {
  if (!(error instanceof UsageError || error instanceof ConfigError || error instanceof DatabaseUrlError))
    throw error;
  if (error.message) err.write(maskSecrets(error.message) + '\n\n');
  err.write(usage + '\n');
  return 2;
}

/** `migrate --online --abort`: removes the change log, state and triggers an online run added. */
function abortOnline(source: string, out: NodeJS.WriteStream, err: NodeJS.WriteStream): number {
  if (!existsSync(source)) {
    err.write(`--source ${source}: no such file\n`);
    return 2;
  }
  const removed = removeCapture(source);
  out.write(
    removed.length === 0
      ? `nothing to remove: ${source} has no change capture\n`
      : `removed from ${source}: ${removed.join(', ')}\n`,
  );
  return 0;
}
