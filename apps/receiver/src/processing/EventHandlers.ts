import type { KnownEvent, KnownEventType } from '@webhook-contracts/schema';
import type { AnyReadModel } from '../readModels/ReadModel.js';
import { readModels } from '../readModels/readModels.js';
import type { ProcessingEffects } from '../store/core/Store.js';

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

/**
 * One handler per event type that asks every read model following the type for its effects, each
 * under the model's `effectKey`.
 *
 * @example
 * readModelHandlers([lessonProgress])['course_lesson_interaction.completed']?.(event);
 * // { lessonCompletions: [{ userId, courseId, lessonId, completedAt }] }
 */
export function readModelHandlers(models: readonly AnyReadModel[]): EventHandlers {
  const byType = new Map<KnownEventType, AnyReadModel[]>();
  for (const model of models) {
    for (const type of Object.keys(model.handlers) as KnownEventType[]) {
      byType.set(type, [...(byType.get(type) ?? []), model]);
    }
  }
  const handlers: Record<string, EventHandler> = {};
  for (const [type, following] of byType) {
    handlers[type] = (event: KnownEvent) => {
      const effects: Record<string, readonly unknown[]> = {};
      for (const model of following) {
        const handle = model.handlers[type] as (event: KnownEvent) => readonly unknown[];
        effects[model.effectKey] = [...(effects[model.effectKey] ?? []), ...handle(event)];
      }
      return effects;
    };
  }
  return handlers as EventHandlers;
}

/** The registered read models' handlers. */
export const defaultHandlers: EventHandlers = readModelHandlers(readModels);

/**
 * One handler per type that runs every given handler of the type and gathers their effects, so the
 * team's handlers run beside the read models' instead of replacing them.
 *
 * @example
 * const handlers = combineHandlers(defaultHandlers, { 'payment.succeeded': (event) => ({}) });
 */
export function combineHandlers(...sets: readonly EventHandlers[]): EventHandlers {
  const byType = new Map<string, EventHandler[]>();
  for (const set of sets) {
    for (const [type, handler] of Object.entries(set) as [string, EventHandler | undefined][]) {
      if (handler !== undefined) byType.set(type, [...(byType.get(type) ?? []), handler]);
    }
  }
  const combined: Record<string, EventHandler> = {};
  for (const [type, handlers] of byType) {
    const only = handlers[0];
    if (handlers.length === 1 && only !== undefined) {
      combined[type] = only;
      continue;
    }
    combined[type] = async (event) => {
      const effects: Record<string, readonly unknown[]> = {};
      for (const handler of handlers) {
        for (const [key, list] of Object.entries((await handler(event)) ?? {})) {
          if (list !== undefined) effects[key] = [...(effects[key] ?? []), ...list];
        }
      }
      return effects;
    };
  }
  return combined as EventHandlers;
}
