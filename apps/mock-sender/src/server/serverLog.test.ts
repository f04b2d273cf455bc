import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { logLine, logText, MAX_LOG_LINE_CHARS } from './serverLog.js';

describe('serve log lines', () => {
  it('escape control characters, so no text can start a line of its own', () => {
    expect(logText('a\nmock-sender serve: forged\r\u0000\u2028end')).toBe(
      'a\\u000amock-sender serve: forged\\u000d\\u0000\\u2028end',
    );
  });

  it('cut foreign text at the line limit', () => {
    expect(logText('x'.repeat(10_000))).toBe(`${'x'.repeat(MAX_LOG_LINE_CHARS)}…`);
  });

  it('write one prefixed line', () => {
    const stream = new PassThrough();
    logLine(`warning: ${'y'.repeat(1000)}\nmore`, stream);
    const written = String(stream.read());
    expect(written.split('\n')).toHaveLength(2);
    expect(written.startsWith('mock-sender serve: warning: yyy')).toBe(true);
    expect(written.length).toBe('mock-sender serve: '.length + MAX_LOG_LINE_CHARS + 2);
  });
});
