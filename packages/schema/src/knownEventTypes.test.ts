import { describe, expect, it } from 'vitest';
import { isKnownEventType, knownEventTypes } from './knownEventTypes.js';

describe('knownEventTypes', () => {
  it('lists the registered event types', () => {
    expect(knownEventTypes).toEqual(['course_lesson_interaction.completed']);
  });

  it('is frozen so callers cannot change the registry', () => {
    expect(Object.isFrozen(knownEventTypes)).toBe(true);
  });
});

describe('isKnownEventType', () => {
  it('recognises a registered type and rejects others, including near misses', () => {
    expect(isKnownEventType('course_lesson_interaction.completed')).toBe(true);
    expect(isKnownEventType('payment.succeeded')).toBe(false);
    expect(isKnownEventType('Course_lesson_interaction.completed')).toBe(false);
    expect(isKnownEventType('toString')).toBe(false);
  });
});
