// A pino logger that keeps its lines in memory, for tests that check what was logged.
import { type Logger, pino } from 'pino';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  [field: string]: unknown;
}

const levelNames: Record<number, LogLine['level']> = { 20: 'debug', 30: 'info', 40: 'warn', 50: 'error' };

/** A debug-level logger and the lines it has written so far (parsed, with the level's name). */
export function capturingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino(
    { level: 'debug', base: null, timestamp: false },
    {
      write(text: string) {
        const { level, msg, ...fields } = JSON.parse(text) as { level: number; msg: string };
        lines.push({ level: levelNames[level] ?? 'error', ...fields, msg });
      },
    },
  );
  return { logger, lines };
}
