// Where a send run's events come from: your own payloads, the docs examples, generated events, or
// examples then generated events. Everything is lazy, so 100 000 generated events never sit in memory,
// and the catalog's generator (with every schema of the catalog) is loaded only for a run that
// generates other types than the lesson event.
import type { CourseLessonInteractionCompleted, KnownEventType } from '@webhook-contracts/schema';
import type { generateCatalogEvents } from '../generators/catalogGenerator.js';
import { DEFAULT_EVENT_TYPE } from '../generators/eventTypes.js';
import { generateEvents } from '../generators/generator.js';
import { lessonEventJson } from '../generators/lessonEventJson.js';
import { docsExamples, type Example, findExample, loadExamples } from '../payloads/examples.js';

export interface EventSourceOptions {
  example?: string | readonly string[] | undefined;
  allExamples?: boolean | undefined;
  generate?: number | undefined;
  types?: readonly KnownEventType[] | undefined;
  payloads?: Iterable<unknown> | undefined;
}

export interface Payload {
  value: unknown;
  raw?: Buffer;
  /** A fresh object no one else holds (a generated event): its id may be set in place. */
  owned?: boolean;
  /**
   * Sent exactly as written, only the `webhook-id` header fresh: an invalid example breaks the
   * contract on purpose (a missing or odd `id` among them), and a fresh id would mend it.
   */
  asWritten?: boolean;
  /** Sent to be refused (an invalid example): a 4xx answer is final, not retried. */
  refusalIsFinal?: boolean;
  /** `JSON.stringify` for this value's known shape, faster (a generated event, overrides not applied). */
  serialise?: (value: unknown) => string;
}

const serialiseLessonEvent = (value: unknown) => lessonEventJson(value as CourseLessonInteractionCompleted);

/**
 * The examples a run sends; an unknown name throws (SenderConfigError `unknown_example`). Without
 * names, every valid example of the `types` asked for, of every catalog type when none are: a gate
 * that sends the examples covers payments and memberships, not only the default generated type.
 */
export function chosenExamples(options: EventSourceOptions): Example[] {
  const all = loadExamples();
  if (options.example === undefined) {
    const valid = docsExamples(all);
    if (options.types === undefined) return valid;
    const types = new Set<string>(options.types);
    return valid.filter((e) => types.has(e.event));
  }
  const names = typeof options.example === 'string' ? [options.example] : options.example;
  return names.map((n) => findExample(n, all));
}

/** Examples are sent when asked for, or by default when no other source is given. */
export function sendsExamples(options: EventSourceOptions): boolean {
  if (options.example !== undefined || options.allExamples === true) return true;
  return options.generate === undefined && options.payloads === undefined;
}

/**
 * How many events the run sends, resolving example names now so that a typo is a config error, not
 * a failure halfway through; undefined for your own payloads (an iterable of unknown length).
 */
export function plannedEvents(options: EventSourceOptions): number | undefined {
  if (options.payloads !== undefined) return undefined;
  const examples = sendsExamples(options) ? chosenExamples(options).length : 0;
  return examples + (options.generate ?? 0);
}

/** Generated events of other types than the lesson event's own model need the catalog's generator. */
function generatesCatalogTypes(options: EventSourceOptions): boolean {
  if (options.payloads !== undefined || options.generate === undefined) return false;
  const types = options.types ?? [DEFAULT_EVENT_TYPE];
  return !(types.length === 1 && types[0] === DEFAULT_EVENT_TYPE);
}

/** The run's payloads, in sending order, once what they need is loaded. */
export async function payloadSource(options: EventSourceOptions, seed: string): Promise<Iterable<Payload>> {
  const catalog = generatesCatalogTypes(options)
    ? (await import('../generators/catalogGenerator.js')).generateCatalogEvents
    : undefined;
  return payloads(options, seed, catalog);
}

function* payloads(
  options: EventSourceOptions,
  seed: string,
  generateCatalog: typeof generateCatalogEvents | undefined,
): Generator<Payload> {
  if (options.payloads !== undefined) {
    for (const item of options.payloads) {
      if (Buffer.isBuffer(item) || typeof item === 'string') {
        const raw = Buffer.from(item);
        yield { value: safeParse(raw), raw };
      } else yield { value: item };
    }
    return;
  }
  if (sendsExamples(options)) {
    for (const example of chosenExamples(options)) {
      yield {
        value: safeParse(example.raw),
        raw: example.raw,
        ...(example.kind === 'invalid' ? { asWritten: true, refusalIsFinal: true } : {}),
      };
    }
  }
  if (options.generate !== undefined) {
    // The lesson-progress model alone keeps its own fast generator (the benchmarks' hot path).
    if (generateCatalog === undefined) {
      for (const event of generateEvents({ seed, count: options.generate }))
        yield { value: event, owned: true, serialise: serialiseLessonEvent };
    } else {
      const types = options.types ?? [DEFAULT_EVENT_TYPE];
      for (const event of generateCatalog({ seed, count: options.generate, types }))
        yield { value: event, owned: true };
    }
  }
}

/** JSON.parse that answers undefined for bytes that are not JSON (they are sent as they are). */
export function safeParse(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}
