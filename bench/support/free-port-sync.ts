import { execFileSync } from 'node:child_process';

/** A free loopback TCP port, found synchronously by a short child process (never 5432/5433). */
export function freePortSync(): number {
  const script =
    "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})";
  for (;;) {
    const port = Number(execFileSync(process.execPath, ['-e', script]).toString());
    if (port !== 5432 && port !== 5433) return port;
  }
}
