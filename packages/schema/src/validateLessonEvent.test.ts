import { describe, expect, it } from 'vitest';
import { completedEvent } from './test-support/completedEvent.js';
import { validateEvent } from './validateEvent.js';
import { validateLessonEvent } from './validateLessonEvent.js';

describe('validateLessonEvent', () => {
  it('returns the typed event for a valid lesson payload, as validateEvent does', () => {
    const payload = completedEvent();
    const result = validateLessonEvent(payload);
    expect(result).toEqual({ kind: 'event', event: payload });
    expect(result.kind === 'event' && result.event).toBe(payload);
  });

  it('reports a broken lesson payload with the errors validateEvent reports', () => {
    const payload = completedEvent();
    payload.data.user['username'] = 42;
    delete (payload.data as Record<string, unknown>)['lesson'];
    const result = validateLessonEvent(payload);
    expect(result.kind).toBe('invalid');
    expect(result).toEqual(validateEvent(payload));
  });

  it('refuses a payload of any other type: its type breaks the lesson schema', () => {
    const other = { ...completedEvent(), type: 'payment.succeeded' };
    const result = validateLessonEvent(other);
    expect(result.kind).toBe('invalid');
    if (result.kind !== 'invalid') return;
    expect(result.errors.map((e) => e.pointer)).toContain('/type');
  });
});
