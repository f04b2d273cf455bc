import type { CourseLessonInteractionCompleted } from '@webhook-contracts/schema';
import { docsExample } from '@webhook-contracts/test-kit';
import { describe, expect, it } from 'vitest';
import { combineHandlers, defaultHandlers } from './EventHandlers.js';
import { closestEventType } from './loadHandlersModule.js';

describe('combineHandlers', () => {
  it("runs the read models' handler and yours for one type and gathers both effects", async () => {
    const event: CourseLessonInteractionCompleted = docsExample();
    const calls: string[] = [];
    const combined = combineHandlers(defaultHandlers, {
      'course_lesson_interaction.completed': (e) => {
        calls.push(e.data.lesson.id);
        return { lessonCompletions: [{ extra: true }], audit: [e.id] };
      },
    });
    const effects = await combined['course_lesson_interaction.completed']?.(event);
    const alone = await defaultHandlers['course_lesson_interaction.completed']?.(event);
    expect(calls).toEqual([event.data.lesson.id]);
    expect(effects).toEqual({
      lessonCompletions: [...(alone?.['lessonCompletions'] ?? []), { extra: true }],
      audit: [event.id],
    });
  });

  it('keeps a single handler as it is', () => {
    const only = () => ({});
    expect(combineHandlers({}, { 'payment.succeeded': only })['payment.succeeded']).toBe(only);
  });
});

describe('closestEventType', () => {
  it('suggests the known type a typo was meant to be, and nothing for an unrelated name', () => {
    expect(closestEventType('payment.succeded')).toBe('payment.succeeded');
    expect(closestEventType('membership.activate')).toBe('membership.activated');
    expect(closestEventType('shipped')).toBeUndefined();
  });
});
