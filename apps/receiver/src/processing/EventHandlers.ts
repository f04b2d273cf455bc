import type { KnownEvent, KnownEventType } from '@webhook-contracts/schema';
import type { ProcessingEffects } from '../store/Store.js';
import { lessonProgressHandler } from './lessonProgressHandler.js';

/**
 * A handler turns a validated event into the writes it implies. It must not write anywhere itself:
 * the store applies the effects in the same transaction that marks the event processed, so an event
 * is never half-applied. Throwing marks the event failed and schedules a retry.
 */
export type EventHandler<E extends KnownEvent = KnownEvent> = (
  event: E,
) => ProcessingEffects | Promise<ProcessingEffects>;

/** One optional handler per known event type; a type without a handler settles as `unhandled`. */
export type EventHandlers = { [T in KnownEventType]?: EventHandler<Extract<KnownEvent, { type: T }>> };

export const defaultHandlers: EventHandlers = {
  'course_lesson_interaction.completed': lessonProgressHandler,
};
