import { describe, expect, it } from 'vitest';
import type { ContractError } from './ContractError.js';
import { maxCollectedErrors, maxListedContractErrors } from './contractValidator.js';
import { completedEvent } from './test-support/completedEvent.js';
import { validateEvent } from './validateEvent.js';

function errorsOf(value: unknown): ContractError[] {
  const result = validateEvent(value);
  if (result.kind !== 'invalid') throw new Error(`expected invalid, got ${result.kind}`);
  return result.errors;
}

describe('validateEvent', () => {
  it('returns the typed event for a valid course_lesson_interaction.completed payload', () => {
    const payload = completedEvent();
    const result = validateEvent(payload);
    expect(result.kind).toBe('event');
    if (result.kind !== 'event') return;
    expect(result.event).toBe(payload);
    if (result.event.type !== 'course_lesson_interaction.completed') throw new Error('wrong type');
    expect(result.event.data.user.username).toBe('johndoe42');
  });

  it('accepts null user.name and null course.title because the sender sends them', () => {
    const payload = completedEvent();
    payload.data.user['name'] = null;
    payload.data.course['title'] = null;
    expect(validateEvent(payload).kind).toBe('event');
  });

  it('accepts a payload without api_version_date or company_id, and with both null', () => {
    const without = completedEvent();
    delete without['api_version_date'];
    delete without['company_id'];
    expect(validateEvent(without).kind).toBe('event');
    expect(validateEvent({ ...completedEvent(), api_version_date: null, company_id: null }).kind).toBe(
      'event',
    );
  });

  it('accepts unknown extra fields at every level', () => {
    const payload = completedEvent();
    payload['new_top_level'] = 1;
    payload.data['progress'] = 0.5;
    payload.data.user['avatar'] = { url: 'https://example.test/a.png' };
    payload.data.course.experience['name'] = 'Trading';
    payload.data.lesson.chapter['order'] = 3;
    expect(validateEvent(payload).kind).toBe('event');
  });

  it('accepts previous_attributes when it is an object and rejects it otherwise', () => {
    expect(validateEvent({ ...completedEvent(), previous_attributes: { completed: false } }).kind).toBe(
      'event',
    );
    expect(errorsOf({ ...completedEvent(), previous_attributes: 'completed' })).toEqual([
      { pointer: '/previous_attributes', message: 'must be object' },
    ]);
  });

  it('points at the missing key itself when a required key is absent', () => {
    const payload = completedEvent();
    delete payload.data.user['name'];
    expect(errorsOf(payload)).toEqual([{ pointer: '/data/user/name', message: 'is required' }]);
  });

  it('reports every broken field at once, in schema order', () => {
    const payload = completedEvent();
    payload['api_version'] = 'v2';
    payload.data['completed'] = 'true';
    payload.data['created_at'] = 'yesterday';
    payload.data.user['username'] = null;
    payload.data.course['title'] = 42;
    expect(errorsOf(payload)).toEqual([
      { pointer: '/api_version', message: 'must be "v1"' },
      { pointer: '/data/completed', message: 'must be boolean' },
      {
        pointer: '/data/created_at',
        message: 'must be an RFC 3339 date-time, e.g. "2025-01-01T00:00:00.000Z"',
      },
      { pointer: '/data/user/username', message: 'must be string' },
      { pointer: '/data/course/title', message: 'must be string or null' },
    ]);
  });

  it('rejects a date-time without a time zone', () => {
    const payload = completedEvent();
    payload['timestamp'] = '2025-01-01T00:00:00';
    expect(errorsOf(payload).map((e) => e.pointer)).toEqual(['/timestamp']);
  });

  it('checks date-times against the calendar, not just their shape', () => {
    const payload = completedEvent();
    payload.data['created_at'] = '2023-02-30T05:00:00.401Z';
    expect(errorsOf(payload).map((e) => e.pointer)).toEqual(['/data/created_at']);
    payload.data['created_at'] = '2024-02-29T05:00:00.401+05:30';
    expect(validateEvent(payload).kind).toBe('event');
  });

  it('treats a well-formed envelope of an unregistered type as unknown_event, not invalid', () => {
    const envelope = { ...completedEvent(), type: 'payout.created', data: { id: 'pay_1', amount: 10 } };
    const result = validateEvent(envelope);
    expect(result).toEqual({ kind: 'unknown_event', type: 'payout.created', envelope });
  });

  it('still checks the envelope of an unregistered type', () => {
    expect(errorsOf({ id: 'msg_1', api_version: 'v1', type: 'payout.created', data: {} })).toEqual([
      { pointer: '/timestamp', message: 'is required' },
    ]);
  });

  it('reports a known type with wrong data as invalid, never as unknown_event', () => {
    expect(errorsOf({ ...completedEvent(), data: { id: 'x' } }).map((e) => e.pointer)).toEqual([
      '/data/completed',
      '/data/created_at',
      '/data/lesson',
      '/data/user',
      '/data/course',
    ]);
  });

  it('reports a missing or non-string type through the envelope rules', () => {
    const payload = completedEvent();
    delete payload['type'];
    expect(errorsOf(payload)).toEqual([{ pointer: '/type', message: 'is required' }]);
    expect(errorsOf({ ...completedEvent(), type: 7 })).toEqual([
      { pointer: '/type', message: 'must be string' },
    ]);
  });

  it('rejects values that are not objects at the root pointer', () => {
    for (const value of [null, [], 'text', 3, undefined]) {
      expect(errorsOf(value)).toEqual([{ pointer: '', message: 'must be object' }]);
    }
  });

  it('does not treat inherited property names as known types', () => {
    const result = validateEvent({ ...completedEvent(), type: 'constructor' });
    expect(result.kind).toBe('unknown_event');
  });
});

describe('validateEvent on a payload built to fail everywhere', () => {
  const chatMessage = (mentions: unknown[]) => ({
    id: 'msg_1',
    api_version: 'v1',
    timestamp: '2025-03-01T18:27:29.404Z',
    type: 'chat.message.created',
    data: {
      audience: { type: 'users' },
      channel: { id: 'obj_1', type: 'direct_message' },
      message: {
        id: 'obj_2',
        content: null,
        created_at: '2025-02-10T12:07:37.569Z',
        is_edited: false,
        is_pinned: false,
        mentions,
        mentions_everyone: false,
        message_type: 'system',
        poll: { options: [] },
        poll_votes: [],
        reaction_counts: [],
        replying_to_message_id: null,
        updated_at: '2025-02-09T14:43:01.131Z',
        user: { id: 'user_1', name: null, username: 'someone' },
        view_count: 0,
      },
      reason: 'Thanks',
    },
  });

  it('accepts the fixture with string mentions, so the numbers are the only errors', () => {
    expect(validateEvent(chatMessage(['user_1'])).kind).toBe('event');
  });

  it('lists 20 of 125 000 broken mentions and stops counting at maxCollectedErrors', () => {
    const result = validateEvent(chatMessage(Array.from({ length: 125_000 }, (_, i) => i % 10)));
    expect(result).toMatchObject({ kind: 'invalid', errorCount: maxCollectedErrors, complete: false });
    if (result.kind !== 'invalid') return;
    expect(result.errors).toHaveLength(maxListedContractErrors);
    expect(result.errors[0]).toEqual({ pointer: '/data/message/mentions/0', message: 'must be string' });
    expect(result.errors[19]).toEqual({ pointer: '/data/message/mentions/19', message: 'must be string' });
  });
});
