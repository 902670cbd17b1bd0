import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const read = (path: string): string => readFileSync(join(process.cwd(), path), 'utf8');

// The development database has a well-known password, so it must never listen beyond loopback.
describe('the development database listens on 127.0.0.1 only', () => {
  it('publishes the compose port on loopback only', () => {
    const compose = read('docker/docker-compose.yml');
    const ports = [...compose.matchAll(/^\s*-\s*['"]?([^'"\s#]+)['"]?\s*$/gm)]
      .map((m) => m[1])
      .filter((p) => /^\S*\d+:\d+$/.test(p));
    expect(ports.length).toBeGreaterThan(0);
    for (const port of ports) expect(port).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
  });

  it('starts the embedded fallback with listen_addresses on loopback', () => {
    const script = read('scripts/local-postgres.mjs');
    expect(script).toMatch(/host: '127\.0\.0\.1'/);
    expect(script).toMatch(/listen_addresses=\$\{LOCAL\.host\}/);
    expect(script).not.toMatch(/listen_addresses=(\*|0\.0\.0\.0)/);
  });
});
