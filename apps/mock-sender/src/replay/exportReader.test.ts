import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type ExportedEvent, exportedEvents, ndjsonLines } from './exportReader.js';

const line = (id: string, at: string, body: Buffer | string, extra: Record<string, unknown> = {}) =>
  `${JSON.stringify({
    webhook_id: id,
    type: 'payment.succeeded',
    status: 'processed',
    received_at: at,
    body_base64: Buffer.from(body).toString('base64'),
    ...extra,
  })}\n`;

/** Feeds the text in small chunks, so lines straddle chunk boundaries. */
const chunked = (text: string | Buffer, size = 7) => {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return Readable.from(chunks);
};

async function read(text: string | Buffer, filter = {}, limits = {}): Promise<ExportedEvent[]> {
  const events: ExportedEvent[] = [];
  for await (const event of exportedEvents(chunked(text), filter, limits)) events.push(event);
  return events;
}

describe('exportedEvents', () => {
  it('returns each body exactly, CRLF and invalid UTF-8 bytes included', async () => {
    const crlf = Buffer.from('{"id":"a",\r\n"x":1}\r\n');
    const notUtf8 = Buffer.from([0x7b, 0xff, 0xfe, 0xc3, 0x28, 0x7d]);
    const events = await read(
      line('msg_1', '2026-12-01T10:00:00Z', crlf) + line('msg_2', '2026-12-01T10:00:01Z', notUtf8),
    );
    expect(events.map((e) => e.webhookId)).toEqual(['msg_1', 'msg_2']);
    expect(events[0]?.body.equals(crlf)).toBe(true);
    expect(events[1]?.body.equals(notUtf8)).toBe(true);
    expect(events[1]?.receivedAtMs).toBe(Date.parse('2026-12-01T10:00:01Z'));
  });

  it('reads a null type (a body the receiver could not type) as an empty type that no --type matches', async () => {
    const text = line('msg_1', '2026-12-01T10:00:00Z', 'not json', { type: null, status: 'quarantined' });
    expect((await read(text)).map((e) => [e.webhookId, e.type])).toEqual([['msg_1', '']]);
    expect(await read(text, { types: ['payment.succeeded'] })).toEqual([]);
  });

  it('takes CRLF line ends and blank lines, and a last line without a newline', async () => {
    const text = `${line('msg_1', '2026-12-01T10:00:00Z', '{}').replace('\n', '\r\n')}\r\n${line('msg_2', '2026-12-01T10:00:00Z', '{}').trimEnd()}`;
    expect((await read(text)).map((e) => e.webhookId)).toEqual(['msg_1', 'msg_2']);
  });

  it('names the line of a bad entry without quoting it', async () => {
    const good = line('msg_1', '2026-12-01T10:00:00Z', '{}');
    await expect(read(`${good}{secret-ish nonsense\n`)).rejects.toThrow(/^line 2 is not JSON/);
    await expect(read(`${good}{secret-ish nonsense\n`)).rejects.not.toThrow(/secret-ish/);
    await expect(read(`${good}${line('', '2026-12-01T10:00:00Z', '{}')}`)).rejects.toThrow(
      /^line 2 is not an exported event at webhook_id/,
    );
    await expect(read(good.replace(/"body_base64":"[^"]*"/, '"body_base64":"not base64!"'))).rejects.toThrow(
      /^line 1 is not an exported event at body_base64/,
    );
    await expect(read(line('msg_1', 'yesterday', '{}'))).rejects.toThrow('line 1: received_at is not a date');
    await expect(read(good)).resolves.toHaveLength(1);
  });

  it('refuses a line received before the one above it', async () => {
    const text = line('msg_1', '2026-12-01T10:00:05Z', '{}') + line('msg_2', '2026-12-01T10:00:01Z', '{}');
    await expect(read(text)).rejects.toMatchObject({
      code: 'invalid_source',
      message: 'line 2 was received before line 1 (received_at out of order): sort the export by received_at',
    });
  });

  it('filters by type, status and time (since inclusive, until exclusive)', async () => {
    const text =
      line('a', '2026-12-01T10:00:00Z', '{}') +
      line('b', '2026-12-01T10:00:01Z', '{}', { type: 'refund.created' }) +
      line('c', '2026-12-01T10:00:02Z', '{}', { status: 'failed' }) +
      line('d', '2026-12-01T10:00:03Z', '{}');
    const ids = async (filter: object) => (await read(text, filter)).map((e) => e.webhookId);
    expect(await ids({ types: ['refund.created'] })).toEqual(['b']);
    expect(await ids({ statuses: ['processed'] })).toEqual(['a', 'b', 'd']);
    expect(
      await ids({ sinceMs: Date.parse('2026-12-01T10:00:01Z'), untilMs: Date.parse('2026-12-01T10:00:03Z') }),
    ).toEqual(['b', 'c']);
  });

  it('bounds the line length, the line count and the bytes read', async () => {
    const text = line('a', '2026-12-01T10:00:00Z', 'x'.repeat(300)) + line('b', '2026-12-01T10:00:00Z', '{}');
    await expect(read(text, {}, { maxLineBytes: 200 })).rejects.toThrow('line 1 is longer than 200 bytes');
    await expect(read(text, {}, { maxLines: 1 })).rejects.toThrow('more than 1 lines');
    await expect(read(text, {}, { maxBytes: 100 })).rejects.toThrow('larger than 100 bytes');
    await expect(read(text, {}, { maxLines: 2, maxBytes: 10_000 })).resolves.toHaveLength(2);
  });
});

describe('exportedEvents with plain {webhook_id, body} lines', () => {
  const plain = (value: Record<string, unknown>) => `${JSON.stringify(value)}\n`;

  it('sends a string body as its exact bytes and a JSON body as JSON.stringify writes it', async () => {
    const raw = '{ "type": "payment.succeeded",\r\n  "id": "pay_1" }';
    const events = await read(
      plain({ webhook_id: 'msg_raw', body: raw, stored_at: 'ignored' }) +
        plain({ webhook_id: 'msg_json', body: { type: 'refund.created', data: { n: 1.5 } } }) +
        plain({ webhook_id: 'msg_text', body: 'not json' }),
    );
    expect(events.map((e) => [e.webhookId, e.type, e.status, e.body.toString('utf8')])).toEqual([
      ['msg_raw', 'payment.succeeded', '', raw],
      ['msg_json', 'refund.created', '', '{"type":"refund.created","data":{"n":1.5}}'],
      ['msg_text', '', '', 'not json'],
    ]);
    expect(events[0]?.receivedAtMs).toBeUndefined();
  });

  it('takes plain lines and export lines in one file, checking the order of the export lines only', async () => {
    const text =
      line('msg_1', '2026-12-01T10:00:05Z', '{}') +
      plain({ webhook_id: 'msg_2', body: {} }) +
      line('msg_3', '2026-12-01T10:00:06Z', '{}');
    expect((await read(text)).map((e) => e.webhookId)).toEqual(['msg_1', 'msg_2', 'msg_3']);
    expect((await read(text, { types: ['payment.succeeded'] })).map((e) => e.webhookId)).toEqual([
      'msg_1',
      'msg_3',
    ]);
  });

  it('names the line of a bad plain line, and refuses a time filter it cannot apply', async () => {
    const good = plain({ webhook_id: 'msg_1', body: {} });
    await expect(read(`${good}${plain({ webhook_id: '', body: {} })}`)).rejects.toThrow(
      /^line 2 is not an event to replay at webhook_id: expected an export line .* or \{"webhook_id","body"\}$/,
    );
    await expect(read(`${good}${good}${plain({ webhook_id: 5, body: 'x' })}`)).rejects.toThrow(
      /^line 3 is not an event to replay at webhook_id/,
    );
    await expect(read(plain({ id: 'msg_1', payload: {} }))).rejects.toThrow(
      /^line 1 is not an exported event/,
    );
    await expect(read('[1,2]\n')).rejects.toMatchObject({ code: 'invalid_source' });
    await expect(read(good, { sinceMs: 0 })).rejects.toThrow(
      'line 1 has no received_at, so --since and --until cannot place it: drop them or give export lines',
    );
    await expect(
      read(plain({ webhook_id: 'msg_1', body: 'x'.repeat(300) }), {}, { maxLineBytes: 200 }),
    ).rejects.toThrow('line 1 is longer than 200 bytes');
  });
});

describe('ndjsonLines', () => {
  it('splits across chunk boundaries and numbers the lines', async () => {
    const lines: string[] = [];
    for await (const { line: l, number } of ndjsonLines(chunked('ab\ncd\r\n\nef', 1)))
      lines.push(`${number}:${l.toString()}`);
    expect(lines).toEqual(['1:ab', '2:cd', '3:', '4:ef']);
  });
});
