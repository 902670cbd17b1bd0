import type { NextFunction, Request, Response } from 'express';
import type { WriteGate } from './write-gate';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
// The cut-over's own calls and the probes must get through a held gate.
const PASS = /^\/(admin\/cutover|health|metrics)\b/;

/** Every write request passes the gate: it waits while a cut-over holds it. */
export function writeGateMiddleware(gate: WriteGate) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (READS.has(req.method) || PASS.test(req.path)) return next();
    gate.enter().then(() => {
      let left = false;
      const leave = (): void => {
        if (left) return;
        left = true;
        gate.leave();
      };
      res.once('finish', leave);
      res.once('close', leave);
      next();
    }, next);
  };
}
