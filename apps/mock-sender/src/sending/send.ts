// `send()`: the programmatic core of `mock-sender send` and `POST /send`. It composes the three
// stages: events are sourced (`eventSource`), given their ids and overrides (`rewriteIds`),
// optionally duplicated and shuffled (`faults`), then delivered by the run loop (`runDeliveries`).
// Its options are the send request's fields (`options/SendRequest`).
import type { KnownEventType } from '@webhook-contracts/schema';
import type { SecretInput } from '@webhook-contracts/webhooks';
import { SenderConfigError } from '../errors.js';
import { isEventTypeName } from '../generators/eventTypes.js';
import { Random, randomSeed } from '../generators/random.js';
import { type OptionNaming, optionName } from '../options/optionNames.js';
import { optionValidators } from '../options/requestProblems.js';
import type { SendRequest } from '../options/SendRequest.js';
import { targetUrl } from '../options/targetUrl.js';
import { type Override, overrideFrom } from '../payloads/overrides.js';
import type { ProgressStream } from '../report/progressBar.js';
import type { SendSummary } from '../report/summary.js';
import type { RetryNotice } from './deliverEvent.js';
import { chosenExamples, payloadSource, plannedEvents, safeParse, sendsExamples } from './eventSource.js';
import { shuffleWithin, withDuplicates } from './faults.js';
import { rewriteIds } from './rewriteIds.js';
import {
  type DeliveryRecord,
  type Outgoing,
  runDeliveries,
  runSettingsFrom,
  runSleep,
} from './runDeliveries.js';

export {
  DEFAULT_CONCURRENCY,
  DEFAULT_MAX_RETRY_AFTER_SECONDS,
  DEFAULT_RETRY_SCHEDULE,
  DEFAULT_TIMEOUT_MS,
  type DeliveryRecord,
} from './runDeliveries.js';

import { DEFAULT_SHUFFLE_WINDOW } from './runDefaults.js';

export { DEFAULT_SHUFFLE_WINDOW };

/** The request's fields that send() takes as they are; the others are widened or renamed below. */
type RequestFields = Omit<
  SendRequest,
  'to' | 'secret' | 'example' | 'type' | 'set' | 'retrySchedule' | 'wait'
>;

/** send()'s options: the send request's fields (documented in `SendRequest`) plus the library's hooks. */
export interface SendOptions extends RequestFields {
  /** The receiver endpoint (http or https). */
  to: string | URL;
  /** Endpoint secret(s); every attempt is signed with each. */
  secret: SecretInput | readonly SecretInput[];
  example?: string | readonly string[];
  /** The request's `type`, parsed (see `parseEventTypes`). */
  types?: readonly KnownEventType[];
  /** Overrides applied to every payload: parsed `--set` values or a `{ "data.user.name": null }` map. */
  set?: readonly Override[] | Readonly<Record<string, unknown>>;
  retrySchedule?: readonly number[];
  /** Send these payloads (objects are serialised; Buffers/strings are sent as they are). */
  payloads?: Iterable<unknown>;
  /** Write one JSON line per delivery to this file as its fate becomes final. */
  report?: string;
  /** Draw a progress bar here when it is a TTY (e.g. process.stderr). */
  progress?: ProgressStream;
  onWarning?: (message: string) => void;
  /** Called once per delivery with its final fate and every attempt. */
  onDelivery?: (delivery: DeliveryRecord) => void;
  /** How error messages name options: CLI flags (default) or serve's JSON fields. */
  optionNaming?: OptionNaming;
  /**
   * Called once the options are checked and the events resolved, just before the first send;
   * `refusals` counts the invalid examples among them (a 4xx answer is final for those).
   */
  onStart?: (run: { seed: string; refusals: number }) => void;
  /** Called each time a retry is scheduled (the failed attempt, its reason and the wait). */
  onRetry?: (retry: RetryNotice) => void;
  userAgent?: string;
  /** Injectable for tests: the clock (ms) used for timestamps and Retry-After dates. */
  now?: () => number;
  /** Injectable for tests: how retry and rate waits happen. */
  sleep?: (ms: number) => Promise<void>;
  /**
   * Stops the run when aborted: nothing new starts, in-flight attempts are cut off, waits end, and
   * `send()` resolves with the summary so far.
   */
  signal?: AbortSignal;
}

function fail(message: string): never {
  throw new SenderConfigError('invalid_option', message);
}

function toOverrides(set: SendOptions['set']): Override[] {
  if (set === undefined) return [];
  if (Array.isArray(set)) return [...(set as readonly Override[])];
  return Object.entries(set as Record<string, unknown>).map(([dotted, value]) => overrideFrom(dotted, value));
}

/** The options the request schema checks, under their JSON field names. */
function requestFields(options: SendOptions): Record<string, unknown> {
  const { to, types, example, retrySchedule } = options;
  const fields: Record<string, unknown> = {
    to: String(to),
    ...(example === undefined ? {} : { example: typeof example === 'string' ? example : [...example] }),
    ...(types === undefined ? {} : { type: [...types] }),
    ...(retrySchedule === undefined ? {} : { retrySchedule: [...retrySchedule] }),
  };
  for (const key of [
    'allExamples',
    'generate',
    'seed',
    'keepIds',
    'concurrency',
    'rate',
    'timeoutMs',
    'maxRetryAfterSeconds',
    'duplicates',
    'shuffle',
    'failOn',
  ] as const) {
    if (options[key] !== undefined) fields[key] = options[key];
  }
  return fields;
}

/** Checks options before anything is sent; throws SenderConfigError naming the bad one. */
export function validateSendOptions(options: SendOptions): void {
  const naming = options.optionNaming;
  targetUrl(options.to, optionName('to', naming));
  // Examples and generated events combine (examples first); `payloads` stands alone.
  if (options.example !== undefined && options.allExamples === true)
    fail(`choose ${optionName('example', naming)} or ${optionName('allExamples', naming)}, not both`);
  const examples = options.example !== undefined || options.allExamples === true;
  if (options.payloads !== undefined && (examples || options.generate !== undefined))
    fail(
      `payloads cannot be combined with ${optionName('example', naming)}, ${optionName('allExamples', naming)} or ${optionName('generate', naming)}`,
    );
  const problems = optionValidators.send.problems(requestFields(options));
  if (problems.length > 0) {
    fail(
      problems
        .map((p) => `${optionName(p.field as Parameters<typeof optionName>[0], naming)} ${p.message}`)
        .join('; '),
    );
  }
  const unknown = (options.types ?? []).filter((t) => !isEventTypeName(t));
  if (unknown.length > 0)
    fail(`unknown event type ${unknown.join(', ')}: see \`mock-sender examples\` or use all`);
}

/**
 * Sends events to a receiver like the upstream sender does (signed, retried, at least once) and
 * resolves with the run's summary. HTTP failures never throw: they are counted in the summary.
 *
 * @throws {SenderConfigError} for bad options or an unknown example name.
 * @example
 * const summary = await send({ to: 'http://localhost:3000/webhooks', secret: 'whsec_…', generate: 100, seed: 7 });
 * if (summary.failed > 0) process.exitCode = 1;
 */
export async function send(options: SendOptions): Promise<SendSummary> {
  validateSendOptions(options);
  const url = targetUrl(options.to, optionName('to', options.optionNaming));
  const seed = String(options.seed ?? randomSeed());
  const overrides = toOverrides(options.set);
  const duplicates = options.duplicates ?? 1;
  const warn = options.onWarning ?? ((message: string) => process.stderr.write(`warning: ${message}\n`));
  const idRandom = new Random(`${seed}:ids`);

  // Resolves example names up front so a typo is a config error, not a failure halfway through.
  const events = plannedEvents(options);
  const planned = events === undefined ? undefined : events * duplicates;
  const source = await payloadSource(options, seed);
  // Overrides may break the contract: each changed event is checked against it (whatever its type).
  const contract = overrides.length > 0 ? await import('@webhook-contracts/schema') : undefined;
  const refusals =
    options.payloads === undefined && sendsExamples(options)
      ? chosenExamples(options).filter((e) => e.kind === 'invalid').length
      : 0;

  let invalidOverridden = 0;
  function* outgoing(): Generator<Outgoing> {
    for (const payload of source) {
      const prepared = rewriteIds(payload, `msg_${idRandom.base62(24)}`, options.keepIds === true, overrides);
      if (prepared.changed && contract !== undefined) {
        const result = contract.validateEvent(safeParse(prepared.body));
        if (result.kind === 'invalid') {
          invalidOverridden++;
          if (invalidOverridden <= 3) {
            warn(
              `event ${prepared.webhookId} does not match the contract after --set (sending it anyway): ${result.errors.map(contract.formatContractError).join('; ')}`,
            );
          }
        }
      }
      const { webhookId, type, body } = prepared;
      // Two literal shapes rather than a conditional spread: the spread is slow on this hot path.
      yield payload.refusalIsFinal === true
        ? { webhookId, type, body, first: true, refusalIsFinal: true }
        : { webhookId, type, body, first: true };
    }
  }
  function* copies(): Generator<Outgoing> {
    let previous: Outgoing | undefined;
    for (const item of withDuplicates(outgoing(), duplicates)) {
      yield { ...item, first: item !== previous };
      previous = item;
    }
  }
  let stream: Iterator<Outgoing> = duplicates === 1 ? outgoing() : copies();
  if (options.shuffle !== undefined && options.shuffle !== false) {
    const window = options.shuffle === true ? DEFAULT_SHUFFLE_WINDOW : options.shuffle;
    stream = shuffleWithin(stream, window, new Random(`${seed}:shuffle`));
  }

  const summary = await runDeliveries(
    stream,
    {
      ...runSettingsFrom(options, url, seed, planned),
      onStart: () => options.onStart?.({ seed, refusals }),
    },
    runSleep(options),
  );
  if (invalidOverridden > 3)
    warn(`${invalidOverridden} events in all did not match the contract after --set`);
  return summary;
}
