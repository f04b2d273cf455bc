import { type Logger, pino } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

/**
 * Paths pino blanks out: a backstop, since no code path logs headers or secrets on purpose.
 * Header names arrive lower-cased from Node.
 */
export const redactPaths = [
  'secret',
  'secrets',
  '*.secret',
  '*.secrets',
  'apiToken',
  '*.apiToken',
  'headers["webhook-signature"]',
  'headers.authorization',
  'headers.cookie',
  'req.headers["webhook-signature"]',
  'req.headers.authorization',
  'req.headers.cookie',
];

export interface CreateLoggerOptions {
  level?: LogLevel;
  /** Human-readable output through pino-pretty; default: when stdout is a TTY. */
  pretty?: boolean;
}

/**
 * The receiver's pino logger: JSON lines, pretty on a terminal, secrets and signatures redacted.
 *
 * @example
 * const logger = createLogger({ level: 'debug' });
 * logger.info({ webhookId: 'msg_1' }, 'delivery accepted');
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const pretty = options.pretty ?? process.stdout.isTTY === true;
  return pino({
    name: 'webhook-receiver',
    level: options.level ?? 'info',
    redact: { paths: redactPaths, censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  });
}

/** A logger that writes nothing: the default for library users who pass none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
