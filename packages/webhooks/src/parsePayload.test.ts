import { describe, expect, it } from 'vitest';
import { parsePayload } from './parsePayload.js';
import { docsExampleEvent } from './test-support/fixtures.js';

const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('parsePayload', () => {
  it('returns the typed event for the docs example', () => {
    const parsed = parsePayload(bytes(docsExampleEvent()));
    expect(parsed).toEqual({ kind: 'event', event: docsExampleEvent() });
  });

  it('returns the envelope of a type the contract does not know', () => {
    const event = { ...docsExampleEvent(), type: 'payout.created', data: { id: 'pay_1' } };
    expect(parsePayload(bytes(event))).toEqual({
      kind: 'unknown_event',
      type: 'payout.created',
      envelope: event,
    });
  });

  it('reports a body that is not JSON with one root error naming the parser message', () => {
    const parsed = parsePayload(bytes('plain text'));
    if (parsed.kind !== 'invalid_json') throw new Error(`expected invalid_json, got ${parsed.kind}`);
    expect(parsed.cause).toBeInstanceOf(SyntaxError);
    expect(parsed.detail).toBe((parsed.cause as Error).message);
    expect(parsed.errors).toEqual([{ pointer: '', message: `invalid JSON: ${parsed.detail}` }]);
  });

  it('decodes a UTF-8 body with non-ASCII text and an ASCII one to the same event', () => {
    const event = { ...docsExampleEvent(), type: 'payout.created', data: { note: 'Crème brûlée ☕' } };
    const raw = parsePayload(bytes(event));
    const escaped = parsePayload(
      bytes(
        JSON.stringify(event).replace(
          /[\u0080-\uffff]/g,
          (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
        ),
      ),
    );
    expect(raw).toEqual({ kind: 'unknown_event', type: 'payout.created', envelope: event });
    expect(escaped).toEqual(raw);
  });

  it('refuses bytes that are not UTF-8 instead of decoding them leniently', () => {
    const body = Buffer.concat([Buffer.from('{"type":"a'), Buffer.from([0xff]), Buffer.from('"}')]);
    const parsed = parsePayload(body);
    expect(parsed).toMatchObject({ kind: 'invalid_json', errors: [{ pointer: '' }] });
    expect(parsed.kind === 'invalid_json' && parsed.cause).toBeInstanceOf(TypeError);
  });

  it('reports a contract violation with its errors, count and the body type', () => {
    const event = docsExampleEvent();
    const broken = { ...event, data: { ...event.data, completed: 'yes' } };
    expect(parsePayload(bytes(broken))).toEqual({
      kind: 'invalid',
      type: 'course_lesson_interaction.completed',
      errors: [{ pointer: '/data/completed', message: 'must be boolean' }],
      errorCount: 1,
      complete: true,
    });
  });

  it('gives a violation a type only when the JSON is an object with a string type', () => {
    const typeOf = (body: string) => {
      const parsed = parsePayload(bytes(body));
      if (parsed.kind !== 'invalid') throw new Error(`expected invalid, got ${parsed.kind}`);
      return parsed.type;
    };
    expect(typeOf('{"type":"x.y"}')).toBe('x.y');
    expect(typeOf('{"type":7}')).toBeNull();
    expect(typeOf('["x.y"]')).toBeNull();
    expect(typeOf('null')).toBeNull();
  });
});
