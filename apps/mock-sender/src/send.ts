// `send()`: the programmatic core of `mock-sender send` and `POST /send`. Payloads (examples,
// generated events or your own) stream lazily through id assignment, overrides and fault injection
// into a bounded pool of deliveries; results are tallied and reported as they become final.
import { setTimeout as delay } from 'node:timers/promises';
import {
  formatContractError,
  isKnownEventType,
  type KnownEventType,
  validateEvent,
} from '@webhook-contracts/schema';
import { type SecretInput, Webhook } from '@webhook-contracts/webhooks';
import {
  type AttemptRecord,
  type DeliveryResult,
  type DeliverySettings,
  deliverEvent,
  type RetryNotice,
} from './delivery/deliverEvent.js';
import { shuffleWithin, withDuplicates } from './delivery/faults.js';
import { createHttpClient } from './delivery/httpClient.js';
import { createRateLimiter, runPool } from './delivery/pool.js';
import { SenderConfigError } from './errors.js';
import { DEFAULT_EVENT_TYPE, generateCatalogEvents } from './fixtures/catalogGenerator.js';
import { docsExamples, type Example, findExample, loadExamples } from './fixtures/examples.js';
import { generateEvents } from './fixtures/generator.js';
import { applyOverrides, type Override, overrideFrom } from './fixtures/overrides.js';
import { Random, randomSeed } from './fixtures/random.js';
import { type OptionName, type OptionNaming, optionName } from './optionNames.js';
import { ProgressBar, type ProgressStream } from './report/progressBar.js';
import { ReportWriter } from './report/reportWriter.js';
import { type SendSummary, SummaryBuilder } from './report/summary.js';
import { targetUrl } from './targetUrl.js';
import { userAgent as defaultUserAgent } from './version.js';

export const DEFAULT_RETRY_SCHEDULE: readonly number[] = [10, 20, 40];
export const DEFAULT_CONCURRENCY = 10;
export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_SHUFFLE_WINDOW = 20;
export const DEFAULT_MAX_RETRY_AFTER_SECONDS = 300;

export interface SendOptions {
  /** The receiver endpoint (http or https). */
  to: string | URL;
  /** Endpoint secret(s); every attempt is signed with each. */
  secret: SecretInput | readonly SecretInput[];
  /** Send these examples by name (see `loadExamples()`). */
  example?: string | readonly string[];
  /** Send every valid docs example (the default when no payload source is given). */
  allExamples?: boolean;
  /** Send this many generated events (after the examples when `example` or `allExamples` is set too). */
  generate?: number;
  /**
   * Event types for `generate` and `allExamples` (default: course_lesson_interaction.completed only);
   * see `parseEventTypes` for the `--type` syntax.
   */
  types?: readonly KnownEventType[];
  /** Send these payloads (objects are serialised; Buffers/strings are sent as they are). */
  payloads?: Iterable<unknown>;
  /** Seed for generated events, fresh ids and shuffling (default: random; see `summary.seed`). */
  seed?: string | number;
  /** Overrides applied to every payload: parsed `--set` values or a `{ "data.user.name": null }` map. */
  set?: readonly Override[] | Readonly<Record<string, unknown>>;
  /** Keep the examples' own `id` instead of giving each a fresh `msg_…` id. */
  keepIds?: boolean;
  concurrency?: number;
  /** Events started per second at most. */
  rate?: number;
  /** Per-attempt timeout in ms (default 15 000). */
  timeoutMs?: number;
  /** Seconds before each retry (default 10, 20, 40: three more tries). */
  retrySchedule?: readonly number[];
  /** Upper bound for a Retry-After wait, seconds (default 300). */
  maxRetryAfterSeconds?: number;
  /** Deliver every event this many times with the same webhook-id (default 1). */
  duplicates?: number;
  /** Deliver in a shuffled order within a window (true = 20 deliveries). */
  shuffle?: boolean | number;
  /** Write one JSON line per delivery to this file as its fate becomes final. */
  report?: string;
  /** Draw a progress bar here when it is a TTY (e.g. process.stderr). */
  progress?: ProgressStream;
  onWarning?: (message: string) => void;
  /** Called once per delivery with its final fate and every attempt. */
  onDelivery?: (delivery: DeliveryRecord) => void;
  /** How error messages name options: CLI flags (default) or serve's JSON fields. */
  optionNaming?: OptionNaming;
  /** Called once the options are checked and the events resolved, just before the first send. */
  onStart?: (run: { seed: string }) => void;
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

export interface DeliveryRecord extends DeliveryResult {
  type: string;
  to: string;
}

interface Outgoing {
  webhookId: string;
  type: string;
  body: Buffer;
  first: boolean;
}

interface Payload {
  value: unknown;
  raw?: Buffer;
  /** A fresh object no one else holds (a generated event): its id may be set in place. */
  owned?: boolean;
  /**
   * Sent exactly as written, only the `webhook-id` header fresh: an invalid example breaks the
   * contract on purpose (a missing or odd `id` among them), and a fresh id would mend it.
   */
  asWritten?: boolean;
}

function fail(message: string): never {
  throw new SenderConfigError('invalid_option', message);
}

function checkInteger(name: string, value: number | undefined, min: number): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min)) {
    fail(`${name} must be an integer ≥ ${min}, got ${value}`);
  }
}

function toOverrides(set: SendOptions['set']): Override[] {
  if (set === undefined) return [];
  if (Array.isArray(set)) return [...(set as readonly Override[])];
  return Object.entries(set as Record<string, unknown>).map(([dotted, value]) => overrideFrom(dotted, value));
}

/** Checks options before anything is sent; throws SenderConfigError naming the bad one. */
export function validateSendOptions(options: SendOptions): void {
  const name = (option: OptionName) => optionName(option, options.optionNaming);
  targetUrl(options.to, name('to'));
  // Examples and generated events combine (examples first); `payloads` stands alone.
  if (options.example !== undefined && options.allExamples === true)
    fail(`choose ${name('example')} or ${name('allExamples')}, not both`);
  const examples = options.example !== undefined || options.allExamples === true;
  if (options.payloads !== undefined && (examples || options.generate !== undefined))
    fail(
      `payloads cannot be combined with ${name('example')}, ${name('allExamples')} or ${name('generate')}`,
    );
  checkInteger(name('generate'), options.generate, 1);
  if (options.types !== undefined) {
    if (options.types.length === 0) fail(`${name('types')} needs at least one event type`);
    const unknown = options.types.filter((t) => !isKnownEventType(t));
    if (unknown.length > 0)
      fail(`unknown event type ${unknown.join(', ')}: see \`mock-sender examples\` or use all`);
  }
  checkInteger(name('concurrency'), options.concurrency, 1);
  checkInteger(name('duplicates'), options.duplicates, 1);
  if (typeof options.shuffle === 'number') checkInteger(name('shuffle'), options.shuffle, 2);
  if (options.rate !== undefined && !(options.rate > 0 && Number.isFinite(options.rate))) {
    fail(`${name('rate')} must be a positive number of events per second, got ${options.rate}`);
  }
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0 && Number.isFinite(options.timeoutMs))) {
    fail(`${name('timeoutMs')} must be a positive number of milliseconds, got ${options.timeoutMs}`);
  }
  if (options.retrySchedule?.some((s) => !(s >= 0 && Number.isFinite(s)))) {
    fail(
      `${name('retrySchedule')} must list non-negative seconds (e.g. 10,20,40 or 0.05,0.1), got ${options.retrySchedule.join(',')}`,
    );
  }
  if (
    options.maxRetryAfterSeconds !== undefined &&
    !(options.maxRetryAfterSeconds >= 0 && Number.isFinite(options.maxRetryAfterSeconds))
  ) {
    fail(
      `${name('maxRetryAfterSeconds')} must be a non-negative number, got ${options.maxRetryAfterSeconds}`,
    );
  }
}

function chosenExamples(options: SendOptions): Example[] {
  const all = loadExamples();
  if (options.example === undefined) {
    const types = new Set<string>(options.types ?? [DEFAULT_EVENT_TYPE]);
    return docsExamples(all).filter((e) => types.has(e.event));
  }
  const names = typeof options.example === 'string' ? [options.example] : options.example;
  return names.map((n) => findExample(n, all));
}

/** Examples are sent when asked for, or by default when no other source is given. */
function sendsExamples(options: SendOptions): boolean {
  if (options.example !== undefined || options.allExamples === true) return true;
  return options.generate === undefined && options.payloads === undefined;
}

function* payloadSource(options: SendOptions, seed: string): Generator<Payload> {
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
        ...(example.kind === 'invalid' ? { asWritten: true } : {}),
      };
    }
  }
  if (options.generate !== undefined) {
    const types = options.types ?? [DEFAULT_EVENT_TYPE];
    // The lesson-progress model alone keeps its own fast generator (the benchmarks' hot path).
    const events =
      types.length === 1 && types[0] === DEFAULT_EVENT_TYPE
        ? generateEvents({ seed, count: options.generate })
        : generateCatalogEvents({ seed, count: options.generate, types });
    for (const event of events) yield { value: event, owned: true };
  }
}

function safeParse(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A sleep that ends early (resolves) when the run is aborted. One abort listener serves every
 * pending wait, so a wide pool does not pile listeners on the signal.
 */
function abortableSleep(
  sleep: (ms: number) => Promise<void>,
  signal: AbortSignal,
): (ms: number) => Promise<void> {
  const waiting = new Set<() => void>();
  signal.addEventListener(
    'abort',
    () => {
      for (const wake of waiting) wake();
      waiting.clear();
    },
    { once: true },
  );
  return (ms) => {
    if (signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const wake = () => {
        waiting.delete(wake);
        resolve();
      };
      waiting.add(wake);
      sleep(ms).then(wake, (error: unknown) => {
        waiting.delete(wake);
        reject(error);
      });
    });
  };
}

/** Gives a payload its fresh id (keeping the file's bytes when it can), then applies overrides. */
function prepare(
  payload: Payload,
  freshId: string,
  keepIds: boolean,
  overrides: Override[],
): Outgoing & { changed: boolean } {
  let value = payload.value;
  let raw = payload.raw;
  if (!keepIds && payload.asWritten !== true && isRecord(value)) {
    const oldId = value['id'];
    if (payload.owned === true) value['id'] = freshId;
    else value = { ...value, id: freshId };
    if (raw !== undefined && typeof oldId === 'string') {
      // Swap the id inside the original text so the rest of the bytes (spacing, `10.0`, escapes)
      // reach the receiver exactly as written in the docs; fall back to re-serialising.
      const text = raw.toString('utf8').replace(JSON.stringify(oldId), JSON.stringify(freshId));
      const reparsed = safeParse(Buffer.from(text));
      raw = isRecord(reparsed) && reparsed['id'] === freshId ? Buffer.from(text) : undefined;
    } else raw = undefined;
  }
  if (overrides.length > 0) {
    value = applyOverrides(value, overrides);
    raw = undefined;
  }
  const body = raw ?? Buffer.from(JSON.stringify(value) ?? 'null');
  const id =
    payload.asWritten !== true && isRecord(value) && typeof value['id'] === 'string' && value['id'] !== ''
      ? value['id']
      : freshId;
  const type = isRecord(value) && typeof value['type'] === 'string' ? value['type'] : 'unknown';
  return { webhookId: id, type, body, first: true, changed: overrides.length > 0 };
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
  const webhook = new Webhook(options.secret);
  const seed = String(options.seed ?? randomSeed());
  const overrides = toOverrides(options.set);
  const now = options.now ?? Date.now;
  const signal = options.signal;
  const baseSleep = options.sleep ?? ((ms: number) => delay(ms));
  const sleep = signal === undefined ? baseSleep : abortableSleep(baseSleep, signal);
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const duplicates = options.duplicates ?? 1;
  const warn = options.onWarning ?? ((message: string) => process.stderr.write(`warning: ${message}\n`));
  const idRandom = new Random(`${seed}:ids`);

  // Resolve example names up front so a typo is a config error, not a failure halfway through.
  const source = payloadSource(options, seed);
  let planned: number | undefined;
  if (options.payloads === undefined) {
    const examples = sendsExamples(options) ? chosenExamples(options).length : 0;
    planned = (examples + (options.generate ?? 0)) * duplicates;
  }

  let invalidOverridden = 0;
  function* outgoing(): Generator<Outgoing> {
    for (const payload of source) {
      const prepared = prepare(payload, `msg_${idRandom.base62(24)}`, options.keepIds === true, overrides);
      if (prepared.changed) {
        const result = validateEvent(safeParse(prepared.body));
        if (result.kind === 'invalid') {
          invalidOverridden++;
          if (invalidOverridden <= 3) {
            warn(
              `event ${prepared.webhookId} does not match the contract after --set (sending it anyway): ${result.errors.map(formatContractError).join('; ')}`,
            );
          }
        }
      }
      yield { webhookId: prepared.webhookId, type: prepared.type, body: prepared.body, first: true };
    }
  }
  function* copies(): Generator<Outgoing> {
    let previous: Outgoing | undefined;
    for (const item of withDuplicates(outgoing(), duplicates)) {
      yield { webhookId: item.webhookId, type: item.type, body: item.body, first: item !== previous };
      previous = item;
    }
  }
  let stream: Iterator<Outgoing> = duplicates === 1 ? outgoing() : copies();
  if (options.shuffle !== undefined && options.shuffle !== false) {
    const window = options.shuffle === true ? DEFAULT_SHUFFLE_WINDOW : options.shuffle;
    stream = shuffleWithin(stream, window, new Random(`${seed}:shuffle`));
  }

  const client = createHttpClient({ concurrency });
  const summary = new SummaryBuilder();
  const report = options.report === undefined ? undefined : await ReportWriter.open(options.report);
  const progress = options.progress === undefined ? undefined : new ProgressBar(options.progress, planned);
  const limiter = options.rate === undefined ? undefined : createRateLimiter(options.rate, now, sleep);
  let gone = false;
  // Destroying the client's sockets ends the attempts in flight (as connection errors); the
  // aborted signal then stops their retries and keeps the pool from starting more.
  const stop = () => client.close();
  signal?.addEventListener('abort', stop, { once: true });
  const stopped = () => gone || signal?.aborted === true;
  const settings: DeliverySettings = {
    client,
    url,
    sign: (id, timestamp, body) => webhook.sign(id, timestamp, body),
    retrySchedule: options.retrySchedule ?? DEFAULT_RETRY_SCHEDULE,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    userAgent: options.userAgent ?? defaultUserAgent,
    maxRetryAfterMs: (options.maxRetryAfterSeconds ?? DEFAULT_MAX_RETRY_AFTER_SECONDS) * 1000,
    now,
    sleep,
    isEndpointGone: stopped,
    onAttempt: (attempt: AttemptRecord) => summary.recordAttempt(attempt),
    ...(options.onRetry !== undefined ? { onRetry: options.onRetry } : {}),
    // Only `onDelivery` ever sees an attempt's start time.
    recordStartTimes: options.onDelivery !== undefined,
  };
  options.onStart?.({ seed });
  const started = performance.now();

  try {
    await runPool(stream, {
      concurrency,
      shouldStop: stopped,
      ...(limiter === undefined ? {} : { beforeEach: limiter }),
      worker: async (item) => {
        summary.recordStart(item.first);
        const result = await deliverEvent(settings, item.webhookId, item.body);
        if (result.gone) gone = true;
        summary.recordResult(result);
        if (progress?.enabled === true) progress.update(summary.progress);
        options.onDelivery?.({ ...result, type: item.type, to: url.href });
        if (report !== undefined) {
          await report.write({
            id: item.webhookId,
            type: item.type,
            status: result.status,
            attempts: result.attempts.length,
            delivered: result.delivered,
          });
        }
      },
    });
  } finally {
    signal?.removeEventListener('abort', stop);
    client.close();
    progress?.update(summary.progress, true);
    progress?.finish();
    await report?.close();
  }
  if (invalidOverridden > 3)
    warn(`${invalidOverridden} events in all did not match the contract after --set`);
  return summary.build({
    to: url.href,
    seed,
    durationMs: performance.now() - started,
    ...(planned === undefined ? {} : { planned }),
  });
}
