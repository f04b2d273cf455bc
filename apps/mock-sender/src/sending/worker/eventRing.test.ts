import { describe, expect, it } from 'vitest';
import { createRingMemory, type RingEntry, RingReader, RingWriter } from './eventRing.js';

/** Reads entries until the end or a failure, at most `limit`. */
function drain(reader: RingReader, limit: number): RingEntry[] {
  const entries: RingEntry[] = [];
  for (let i = 0; i < limit; i++) {
    const entry = reader.next(1_000);
    entries.push(entry);
    if (entry.kind !== 'event') break;
  }
  return entries;
}

describe('event ring', () => {
  it('hands over ids and bodies in order, exactly, across many wraps of the ring', () => {
    const memory = createRingMemory(64 * 1024);
    const writer = new RingWriter(memory);
    const reader = new RingReader(memory);
    const sent: Array<{ id: string; body: string }> = [];
    const received: Array<{ id: string; body: string }> = [];
    // Bodies of varied sizes, multi-byte UTF-8 included, far more bytes than the ring holds.
    for (let i = 0; i < 3_000; i++) {
      const event = { id: `msg_${i.toString(36)}`, body: `{"n":${i},"name":"Zoë ${'é'.repeat(i % 300)}"}` };
      sent.push(event);
      expect(writer.write(event.id, event.body)).toBe(true);
      if (i % 7 === 6) {
        writer.flush();
        while (!reader.empty) {
          const entry = reader.next(1_000);
          if (entry.kind === 'event') received.push({ id: entry.webhookId, body: entry.body.toString('utf8') });
        }
      }
    }
    writer.end();
    for (const entry of drain(reader, 10)) {
      if (entry.kind === 'event') received.push({ id: entry.webhookId, body: entry.body.toString('utf8') });
      else expect(entry.kind).toBe('end');
    }
    expect(received).toEqual(sent);
  });

  it('hands over the signature made ahead with the second it signs', () => {
    const memory = createRingMemory(64 * 1024);
    const signed: string[] = [];
    const writer = new RingWriter(
      memory,
      (id, body) => {
        signed.push(`${id} ${body.toString('utf8')}`);
        return { timestamp: 1_700_000_000, signature: `v1,${id}` };
      },
      64,
    );
    writer.write('msg_1', '{"a":"ü"}');
    writer.end();
    const [event, end] = drain(new RingReader(memory), 10);
    expect(signed).toEqual(['msg_1 {"a":"ü"}']);
    expect(event).toMatchObject({ kind: 'event', webhookId: 'msg_1', signed: { timestamp: 1_700_000_000, signature: 'v1,msg_1' } });
    expect(event?.kind === 'event' && event.body.toString('utf8')).toBe('{"a":"ü"}');
    expect(end?.kind).toBe('end');
  });

  it('refuses a signature longer than the room the writer was given', () => {
    const writer = new RingWriter(createRingMemory(64 * 1024), () => ({ timestamp: 1, signature: 'v1,toolong' }), 4);
    expect(() => writer.write('msg_1', '{}')).toThrow(RangeError);
  });

  it('keeps a body read out intact after the writer reuses its bytes', () => {
    const memory = createRingMemory(64 * 1024);
    const writer = new RingWriter(memory);
    const reader = new RingReader(memory);
    writer.write('msg_first', '{"a":1}');
    writer.flush();
    const first = reader.next(1_000);
    for (let i = 0; i < 500; i++) {
      writer.write('msg_next', 'x'.repeat(200));
      writer.flush();
      reader.next(1_000);
    }
    expect(first).toMatchObject({ kind: 'event', webhookId: 'msg_first' });
    expect(first.kind === 'event' && first.body.toString()).toBe('{"a":1}');
  });

  it("passes on the writer's failure after the events written before it", () => {
    const memory = createRingMemory(64 * 1024);
    const writer = new RingWriter(memory);
    writer.write('msg_1', '{}');
    writer.fail('generated event msg_2 does not match the contract');
    const entries = drain(new RingReader(memory), 10);
    expect(entries.map((e) => e.kind)).toEqual(['event', 'failed']);
    expect(entries[1]).toEqual({ kind: 'failed', message: 'generated event msg_2 does not match the contract' });
  });

  it('stops the writer once the reader closes the ring', () => {
    const memory = createRingMemory(64 * 1024);
    const writer = new RingWriter(memory);
    expect(writer.write('msg_1', '{}')).toBe(true);
    new RingReader(memory).close();
    expect(writer.write('msg_2', '{}')).toBe(false);
    expect(writer.open).toBe(false);
  });

  it('refuses a record too large for the ring rather than waiting forever', () => {
    const writer = new RingWriter(createRingMemory(64 * 1024));
    expect(() => writer.write('msg_1', 'x'.repeat(10_000))).toThrow(RangeError);
  });

  it('says when the writer produced nothing in time', () => {
    const reader = new RingReader(createRingMemory(64 * 1024));
    expect(reader.empty).toBe(true);
    expect(() => reader.next(10)).toThrow('the event generator produced nothing for 10 ms');
  });
});
