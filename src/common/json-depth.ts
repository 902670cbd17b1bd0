import type { NextFunction, Request, Response } from 'express';
import { validationBody } from './http-exception.filter';

/** Deepest JSON nesting a request body may have; the API's own bodies are at most 3 levels deep. */
export const MAX_JSON_DEPTH = 32;

/** Nesting depth of a parsed JSON value, measured without recursion so hostile input cannot overflow it. */
export function jsonDepth(value: unknown, stopAbove = Infinity): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    const level = depth + 1;
    if (level > max) max = level;
    if (max > stopAbove) return max;
    for (const child of Object.values(node)) stack.push([child, level]);
  }
  return max;
}

/**
 * Validation and transformation walk bodies recursively, so a few kilobytes of `[[[[…` would overflow
 * the stack and become a 500. Such bodies are refused with a 400 first.
 */
export function rejectDeepJson(maxDepth = MAX_JSON_DEPTH) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (jsonDepth(req.body, maxDepth) <= maxDepth) return next();
    const message = `body is nested more than ${maxDepth} levels deep`;
    res.status(400).json(validationBody({ body: [message] }));
  };
}
