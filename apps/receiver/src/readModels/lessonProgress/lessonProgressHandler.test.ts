import { validateEvent } from '@webhook-contracts/schema';
import { describe, expect, it } from 'vitest';
import { completedEvent, type LessonFields } from '../../test-support/signedRequest.js';
import { lessonProgressHandler } from './lessonProgressHandler.js';

function event(fields: LessonFields) {
  const result = validateEvent(completedEvent(fields));
  if (result.kind !== 'event' || result.event.type !== 'course_lesson_interaction.completed') {
    throw new Error('fixture is not a valid completed event');
  }
  return result.event;
}

describe('lessonProgressHandler', () => {
  it('turns a completion into one lesson row with the interaction time', () => {
    expect(
      lessonProgressHandler(
        event({
          userId: 'user_1',
          courseId: 'cors_1',
          lessonId: 'lesn_1',
          createdAt: '2024-05-06T07:08:09.010Z',
        }),
      ),
    ).toEqual([
      {
        userId: 'user_1',
        courseId: 'cors_1',
        lessonId: 'lesn_1',
        completedAt: Date.UTC(2024, 4, 6, 7, 8, 9, 10),
      },
    ]);
  });

  it('records nothing for an interaction with completed: false', () => {
    expect(lessonProgressHandler(event({ completed: false }))).toEqual([]);
  });

  it('throws, so the event is retried, if a created_at the schema let through does not parse', () => {
    const valid = event({});
    const loose = { ...valid, data: { ...valid.data, created_at: 'yesterday' } };
    expect(() => lessonProgressHandler(loose)).toThrow(
      new Error('data.created_at "yesterday" is not a parseable date-time'),
    );
  });
});
