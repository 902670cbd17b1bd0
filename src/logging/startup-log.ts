import { maskSecrets } from '../config/database-url';

/**
 * Messages printed before Nest and its logger exist (bad config, unreachable database).
 * JSON in production so log pipelines can parse them, plain text elsewhere; secrets always masked.
 */
export function printStartupLine(level: 'info' | 'warn' | 'fatal', message: string, json: boolean): void {
  const text = maskSecrets(message);
  if (json) {
    process.stderr.write(JSON.stringify({ level, time: Date.now(), msg: text }) + '\n');
  } else {
    process.stderr.write(`${level === 'fatal' ? 'FATAL' : level.toUpperCase()} ${text}\n`);
  }
}
