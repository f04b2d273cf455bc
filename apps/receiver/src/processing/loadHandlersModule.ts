// `--handlers ./handlers.js`: the team's event handlers, from a module of its own. The module
// exports them by event type as its default export (or as `handlers`); every name is checked against
// the catalog and every value must be a function, so a typo fails at start-up with the closest
// known name instead of leaving that type `unhandled` in production.
import { pathToFileURL } from 'node:url';
import { isKnownEventType, knownEventTypes } from '@webhook-contracts/schema';
import { ConfigError } from '../errors.js';
import type { EventHandlers } from './EventHandlers.js';

/** Edit distance between two short strings (types are under 64 characters). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The known event type closest to `name`, when one is close enough to be the intended one. */
export function closestEventType(name: string): string | undefined {
  let best: { type: string; d: number } | undefined;
  for (const type of knownEventTypes) {
    const d = distance(name, type);
    if (best === undefined || d < best.d) best = { type, d };
  }
  return best !== undefined && best.d <= Math.max(3, Math.floor(name.length / 4)) ? best.type : undefined;
}

/**
 * Checks that `value` is handlers by event type: an object whose keys are known types and whose
 * values are functions. `where` names the source in the messages.
 *
 * @throws {ConfigError} listing every wrong name (with the closest known type) and every non-function.
 * @example
 * checkHandlers({ 'payment.succeded': () => ({}) }, './handlers.js');
 * // ConfigError: ./handlers.js: "payment.succeded" is not an event type of the catalog (did you mean "payment.succeeded"?)
 */
export function checkHandlers(value: unknown, where: string): EventHandlers {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError([
      `${where} exports no handlers: export default { 'payment.succeeded': (event) => ({}) , … } ` +
        '(or export const handlers = { … }), one function per event type',
    ]);
  }
  const issues: string[] = [];
  for (const [name, handler] of Object.entries(value)) {
    if (!isKnownEventType(name)) {
      const near = closestEventType(name);
      issues.push(
        `${where}: "${name}" is not an event type of the catalog` +
          (near === undefined ? ' (see docs/reference/event-catalog.md)' : ` (did you mean "${near}"?)`),
      );
    } else if (typeof handler !== 'function') {
      issues.push(`${where}: the handler for "${name}" is a ${typeof handler}, not a function`);
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return value as EventHandlers;
}

/**
 * Imports the handlers module at the absolute path `file` and checks its handlers.
 *
 * @throws {ConfigError} when the module cannot be loaded or its handlers are wrong.
 * @example
 * const handlers = await loadHandlersModule('/srv/app/handlers.js');
 */
export async function loadHandlersModule(file: string): Promise<EventHandlers> {
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(
      [`--handlers ${file} could not be loaded: ${error instanceof Error ? error.message : String(error)}`],
      { cause: error },
    );
  }
  return checkHandlers(loaded['handlers'] ?? loaded['default'], file);
}
