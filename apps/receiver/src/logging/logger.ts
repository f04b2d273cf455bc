// The receiver's logger. Besides redaction, every line is bounded: strings, arrays and nesting are
// cut (boundLogValue), so no input, whatever field it reaches, can make one line huge.
import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from '../config.js';
import { boundLogValue, truncateForLog } from './truncateForLog.js';

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
  /** Where JSON lines go instead of stdout (not with `pretty`). */
  destination?: DestinationStream;
}

/** Longest string any log field or message keeps whole. */
export const logStringMaxChars = 2048;

/**
 * The options that bound every line: give them to any pino logger that may log input.
 *
 * @example
 * const logger = pino({ ...boundedLogOptions() });
 */
export function boundedLogOptions() {
  const bound = { maxChars: logStringMaxChars };
  return {
    formatters: {
      log: (fields: Record<string, unknown>) => boundLogValue(fields, bound) as Record<string, unknown>,
    },
    serializers: {
      // An error's message and stack can quote input too; the JSON round trip makes pino's
      // serialized error (and its causes) plain data to bound.
      err: (error: unknown) => {
        const serialized: unknown = pino.stdSerializers.err(error as Error);
        try {
          return boundLogValue(JSON.parse(JSON.stringify(serialized) ?? 'null'), bound);
        } catch {
          return serialized;
        }
      },
    },
    hooks: {
      logMethod(this: Logger, args: Parameters<Logger['info']>, method: (...a: unknown[]) => void) {
        const bounded = args.map((arg) =>
          typeof arg === 'string' ? truncateForLog(arg, logStringMaxChars) : arg,
        );
        method.apply(this, bounded);
      },
    },
  };
}

/**
 * The receiver's pino logger: JSON lines, pretty on a terminal, secrets and signatures redacted,
 * every string cut to `logStringMaxChars`.
 *
 * @example
 * const logger = createLogger({ level: 'debug' });
 * logger.info({ webhookId: 'msg_1' }, 'delivery accepted');
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const pretty = options.destination === undefined && (options.pretty ?? process.stdout.isTTY === true);
  const settings = {
    name: 'webhook-receiver',
    level: options.level ?? 'info',
    redact: { paths: redactPaths, censor: '[redacted]' },
    ...boundedLogOptions(),
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  };
  return options.destination === undefined ? pino(settings) : pino(settings, options.destination);
}

/** A logger that writes nothing: the default for library users who pass none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
