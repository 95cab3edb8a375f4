import pino, { type Logger } from 'pino';
import { env } from '../env';

/** JSON logs to stdout; the demo launcher prefixes each process's lines with its name. */
export const logger: Logger = pino({
  level: env.LOG_LEVEL,
  base: { service: env.DRIVELAB_SERVICE },
  redact: {
    // Secrets must never reach a log line, whatever object they travel in.
    paths: [
      'password',
      '*.password',
      'passwordHash',
      '*.passwordHash',
      'apiKey',
      '*.apiKey',
      'headers.authorization',
      'headers.cookie',
    ],
    censor: '[redacted]',
  },
});

export function childLogger(component: string): Logger {
  return logger.child({ component });
}
