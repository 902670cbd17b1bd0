import { startLocalPostgres, stopLocalPostgres } from './local-postgres.mjs';

const command = process.argv[2];
try {
  if (command === 'start') await startLocalPostgres();
  else if (command === 'stop') await stopLocalPostgres();
  else {
    console.error('usage: node scripts/db.mjs start|stop');
    process.exitCode = 2;
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
