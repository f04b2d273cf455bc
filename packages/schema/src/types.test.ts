// Static types come from the same TypeBox schemas as the validators; these checks run under
// `tsc` (tests are type-checked) and the runtime assertions keep each test able to fail.
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { CourseLessonInteraction } from './CourseLessonInteraction.js';
import type { PaymentSucceeded } from './catalog/events.js';
import type { Payment, PaymentMembership } from './catalog/resources.js';
import type { Envelope } from './Envelope.js';
import type { CourseLessonInteractionCompleted, KnownEvent, KnownEventType } from './events/index.js';
import { completedEvent } from './test-support/completedEvent.js';
import { validateEvent } from './validateEvent.js';

describe('static types', () => {
  it('narrows a validated event by its type literal, with nullable and optional fields typed as sent', () => {
    const result = validateEvent(completedEvent());
    expect(result.kind).toBe('event');
    if (result.kind !== 'event' || result.event.type !== 'course_lesson_interaction.completed') return;
    const event = result.event;
    expectTypeOf(event).toEqualTypeOf<CourseLessonInteractionCompleted>();
    expectTypeOf(event.data).toEqualTypeOf<CourseLessonInteraction>();
    expectTypeOf(event.data.user.name).toEqualTypeOf<string | null>();
    expectTypeOf(event.data.course.title).toEqualTypeOf<string | null>();
    expectTypeOf(event.data.completed).toEqualTypeOf<boolean>();
    expectTypeOf(event.api_version).toEqualTypeOf<'v1'>();
    expectTypeOf(event.api_version_date).toEqualTypeOf<string | null | undefined>();
    expectTypeOf(event.company_id).toEqualTypeOf<string | null | undefined>();
    expect(event.data.course.experience.id).toBe('exp_xxxxxxxxxxxxxx');
  });

  it('types an unknown event as the generic envelope with unknown data', () => {
    const result = validateEvent({ ...completedEvent(), type: 'payout.created', data: [1, 2] });
    expect(result.kind).toBe('unknown_event');
    if (result.kind !== 'unknown_event') return;
    expectTypeOf(result.envelope).toEqualTypeOf<Envelope>();
    expectTypeOf(result.envelope.data).toEqualTypeOf<unknown>();
    expect(result.envelope.data).toEqual([1, 2]);
  });

  it('derives the union of known event types from the registry', () => {
    expectTypeOf<'course_lesson_interaction.completed'>().toExtend<KnownEventType>();
    expectTypeOf<'refund.created'>().toExtend<KnownEventType>();
    expectTypeOf<'payout.created'>().not.toExtend<KnownEventType>();
    expectTypeOf<
      Extract<KnownEvent, { type: 'course_lesson_interaction.completed' }>
    >().toEqualTypeOf<CourseLessonInteractionCompleted>();
    expectTypeOf<Extract<KnownEvent, { type: 'payment.succeeded' }>>().toEqualTypeOf<PaymentSucceeded>();
    expectTypeOf<PaymentSucceeded['data']>().toEqualTypeOf<Payment>();
    expectTypeOf<Payment['membership']>().toEqualTypeOf<PaymentMembership | null>();
    const type: KnownEventType = 'membership.activated';
    expect(type).toBe('membership.activated');
  });
});
