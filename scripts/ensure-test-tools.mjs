// `npm test` runs this first: the three-instance digest test shifts the app's clock with libfaketime,
// a system library npm cannot provide. As root with apt-get (these machines, CI, the Docker build
// stage) it is installed once; elsewhere the test says how to install it.
import { execSync } from 'node:child_process';
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
