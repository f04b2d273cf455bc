import { describe, expect, it } from 'vitest';
import { createLogger, logStringMaxChars } from './logger.js';

/** A createLogger() logger writing into an array of parsed lines. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: 'info',
    destination: { write: (text: string) => lines.push(JSON.parse(text) as Record<string, unknown>) },
  });
  return { logger, lines };
}

const marker = (length: number) => `…[truncated, ${length} chars]`;

describe('createLogger', () => {
  it('cuts every long string, in any field, at any depth, and the message too', () => {
    const { logger, lines } = capture();
    const long = 'y'.repeat(200_000);
    logger.info({ type: long, nested: { list: [long] } }, long);
    const line = lines[0]!;
    const cut = `${'y'.repeat(logStringMaxChars)}${marker(200_000)}`;
    expect(line['type']).toBe(cut);
    expect(line['nested']).toEqual({ list: [cut] });
    expect(line['msg']).toBe(cut);
    expect(JSON.stringify(line).length).toBeLessThan(4 * logStringMaxChars + 500);
  });

  it('cuts long arrays and objects, and keeps short values as they are', () => {
    const { logger, lines } = capture();
    const many = Array.from({ length: 120 }, (_, i) => i);
    logger.info({ many, count: 3, ok: true, none: null, id: 'msg_1' }, 'short');
    expect(lines[0]).toMatchObject({
      many: [...many.slice(0, 50), '…[70 more items]'],
      count: 3,
      ok: true,
      none: null,
      id: 'msg_1',
      msg: 'short',
    });
  });

  it('cuts an error message that quotes input, and keeps its type and code', () => {
    const { logger, lines } = capture();
    const error = Object.assign(new Error(`bad value ${'z'.repeat(10_000)}`), { code: 'E_INPUT' });
    logger.error({ err: error }, 'failed');
    const err = lines[0]!['err'] as { type: string; message: string; code: string; stack: string };
    expect(err.type).toBe('Error');
    expect(err.code).toBe('E_INPUT');
    expect(err.message).toBe(`bad value ${'z'.repeat(logStringMaxChars - 10)}${marker(10_010)}`);
    expect(err.stack.length).toBeLessThanOrEqual(logStringMaxChars + marker(99_999).length);
  });

  it('still redacts signatures, tokens and cookies, and does not change the object it was given', () => {
    const { logger, lines } = capture();
    const headers = { 'webhook-signature': 'v1,abc', authorization: 'Bearer t', 'x-long': 'q'.repeat(5000) };
    logger.warn({ headers, apiToken: 'secret-token' }, 'refused');
    expect(lines[0]).toMatchObject({
      headers: {
        'webhook-signature': '[redacted]',
        authorization: '[redacted]',
        'x-long': expect.stringMatching(/…\[truncated, 5000 chars\]$/),
      },
      apiToken: '[redacted]',
    });
    expect(headers['x-long']).toHaveLength(5000);
    expect(headers['webhook-signature']).toBe('v1,abc');
  });
});
