import 'reflect-metadata';
import { ConfigError, loadConfig } from './config/app-config';
import { assertDatabaseReachable, DatabaseUnreachableError } from './database/postgres-preflight';
import { startingDatabase } from './database/moved-sqlite';
import { printStartupLine } from './logging/startup-log';

async function startServer(): Promise<void> {
  const json = process.env.NODE_ENV === 'production';
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    printStartupLine('fatal', error.message, json);
    process.exit(1);
  }
  // An SQLite file an online migration moved refuses writes: start where its data went, or not at all.
  const starting = startingDatabase(config);
  if ('refusal' in starting) {
    printStartupLine('fatal', starting.refusal, json);
    process.exit(1);
  }
  config = starting.config;
  try {
    await assertDatabaseReachable(config.database);
  } catch (error) {
    if (!(error instanceof DatabaseUnreachableError)) throw error;
    printStartupLine('fatal', error.message, json);
    process.exit(1);
  }
  // Loaded here rather than at the top so admin commands (migrate) do not load Nest and the app.
  const { createApp } = await import('./server');
  const app = await createApp(config);
  await app.listen(config.port, '0.0.0.0');
}

async function runAdminCommand(args: string[]): Promise<void> {
  // Loaded only for the command, so the server's start-up does not pay for it.
  const { runMigrateCommand } = await import('./data-migration/cli/migrate-command');
  process.exitCode = await runMigrateCommand(args);
}

const main = process.argv[2] === 'migrate' ? runAdminCommand(process.argv.slice(3)) : startServer();

main.catch((error: unknown) => {
  printStartupLine(
    'fatal',
    `Start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    process.env.NODE_ENV === 'production',
  );
  process.exit(1);
});
