// `npm start`: builds when dist/ is missing or older than the sources, starts the local PostgreSQL when
// no DATABASE_URL is set (development only), then runs the server in this process's place.
// `npm run start:dev` (`--watch`): the same database set-up, then `nest start --watch`, which recompiles
// on every change under src/ and restarts the server.
import { execSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalPostgres } from './local-postgres.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'src', 'main.js');
const args = process.argv.slice(2);
const watch = args.includes('--watch');
const serverArgs = args.filter((a) => a !== '--watch');

function newestMtime(dir) {
  let newest = 0;
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, name.name);
    newest = Math.max(newest, name.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

if (!watch && (!existsSync(entry) || newestMtime(join(root, 'src')) > statSync(entry).mtimeMs)) {
  console.log('Building…');
  execSync('npm run build --silent', { cwd: root, stdio: 'inherit' });
}

const env = { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'development' };
if (!env.DATABASE_URL && env.NODE_ENV !== 'production') {
  try {
    env.DATABASE_URL = await startLocalPostgres();
  } catch (error) {
    console.error(`Could not start the local PostgreSQL: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  }
}

const nest = join(root, 'node_modules', '.bin', 'nest');
if (watch && !existsSync(nest)) {
  console.error('start:dev needs the dev dependencies (@nestjs/cli): run `npm install` first.');
  process.exit(1);
}
const child = watch
  ? spawn(nest, ['start', '--watch', '--preserveWatchOutput', ...(serverArgs.length ? ['--', ...serverArgs] : [])], {
      cwd: root,
      env,
      stdio: 'inherit',
    })
  : spawn(process.execPath, [entry, ...serverArgs], { cwd: root, env, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
