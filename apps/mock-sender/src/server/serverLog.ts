// The service's own log lines on stderr. Whatever a request or a receiver put in a message (a
// path, an event id, an error text) is written on one line, control characters escaped, and cut
// at a fixed length, so no client can forge lines or flood the log.

/** Longest line the service writes, in characters (before the prefix). */
export const MAX_LOG_LINE_CHARS = 500;

/**
 * One line for the log: control characters as `\uXXXX`, at most MAX_LOG_LINE_CHARS characters.
 *
 * @example
 * logText('a\nforged line'); // 'a\\u000aforged line'
 */
export function logText(text: string): string {
  const oneLine = text.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping them is the point
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return oneLine.length > MAX_LOG_LINE_CHARS ? `${oneLine.slice(0, MAX_LOG_LINE_CHARS)}…` : oneLine;
}

/**
 * Writes `mock-sender serve: <text>` as one bounded line on stderr.
 *
 * @example
 * logLine(`warning: ${message}`);
 */
export function logLine(text: string, stream: NodeJS.WritableStream = process.stderr): void {
  stream.write(`mock-sender serve: ${logText(text)}\n`);
}
