import type { NextFunction, Request, Response } from 'express';
import type { MetricsService } from './metrics.service';

/**
 * Times every request. The route label is the matched pattern (`/entries/:id`), never the raw path, so
 * ids do not explode the label set; unmatched paths share one label.
 */
export function httpMetricsMiddleware(metrics: MetricsService) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const stop = metrics.httpDuration.startTimer();
    res.once('finish', () => {
      const routePath = (req.route as { path?: string } | undefined)?.path;
      const route = routePath === undefined ? 'unmatched' : `${req.baseUrl}${routePath}`;
      stop({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}
