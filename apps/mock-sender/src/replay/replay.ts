// `replay()`: the programmatic core of `mock-sender replay` and `POST /replay`. Events exported by
// a receiver are sent to another, each body byte for byte, signed with the target's secret and a
// fresh timestamp, keeping the original webhook-id unless `newIds`; `speed` keeps the original
// gaps (divided by it). Delivery is the same run loop as send's: retries, report, progress.

import type { SecretInput } from '@webhook-contracts/webhooks';
import { SenderConfigError } from '../errors.js';
import { Random, randomSeed } from '../generators/random.js';
import { type OptionName, type OptionNaming, optionName } from '../options/optionNames.js';
import { optionValidators } from '../options/requestProblems.js';
import type { ReplayRequest } from '../options/SendRequest.js';
import { targetUrl } from '../options/targetUrl.js';
import type { ProgressStream } from '../report/progressBar.js';
import { noveltyOf, type SendSummary } from '../report/summary.js';
import type { RetryNotice } from '../sending/deliverEvent.js';
import {
  type DeliveryRecord,
  type Outgoing,
  runDeliveries,
  runSettingsFrom,
  runSleep,
} from '../sending/runDeliveries.js';
import { type ExportedEvent, type ExportFilter, type ExportLimits, exportedEvents } from './exportReader.js';
import { openSource, sourceKind } from './openSource.js';

type RequestFields = Omit<
  ReplayRequest,
  'from' | 'to' | 'secret' | 'type' | 'status' | 'retrySchedule' | 'wait'
>;

export interface ReplayOptions extends RequestFields {
  /** An export file, `-` (stdin) or a receiver base URL. */
  from: string;
  /** The receiver endpoint to replay to (http or https). */
  to: string | URL;
  /** The target's endpoint secret(s). */
  secret: SecretInput | readonly SecretInput[];
  type?: readonly string[];
  status?: readonly string[];
  retrySchedule?: readonly number[];
  /** Bounds on what the source may send (serve sets them). */
  limits?: ExportLimits;
  /** Standard input for `from: '-'` (default process.stdin). */
  stdin?: NodeJS.ReadableStream;
  report?: string;
  progress?: ProgressStream;
  onDelivery?: (delivery: DeliveryRecord) => void;
  onRetry?: (retry: RetryNotice) => void;
  onStart?: () => void;
  optionNaming?: OptionNaming;
  userAgent?: string;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  signal?: AbortSignal;
}

const fail = (message: string): never => {
  throw new SenderConfigError('invalid_option', message);
};

function instant(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) fail(`${name} "${value}" is not a date: pass ISO 8601, e.g. 2026-12-01T00:00:00Z`);
  return ms;
}

/** Checks the options before anything is read or sent; returns the filter they describe. */
export function validateReplayOptions(options: ReplayOptions): ExportFilter {
  const name = (field: OptionName) => optionName(field, options.optionNaming);
  targetUrl(options.to, name('to'));
  if (options.from.trim() === '') fail(`${name('from')} needs an export file, - or a receiver URL`);
  if (sourceKind(options.from) === 'url') targetUrl(options.from, name('from'));
  const { from, to, type, status, retrySchedule, speed, since, until, concurrency, rate, timeoutMs } =
    options;
  const fields: Record<string, unknown> = {
    from,
    to: String(to),
    ...(type === undefined ? {} : { type: [...type] }),
    ...(status === undefined ? {} : { status: [...status] }),
    ...(retrySchedule === undefined ? {} : { retrySchedule: [...retrySchedule] }),
    ...(speed === undefined ? {} : { speed }),
    ...(since === undefined ? {} : { since }),
    ...(until === undefined ? {} : { until }),
    ...(concurrency === undefined ? {} : { concurrency }),
    ...(rate === undefined ? {} : { rate }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(options.maxRetryAfterSeconds === undefined
      ? {}
      : { maxRetryAfterSeconds: options.maxRetryAfterSeconds }),
    ...(options.failOn === undefined ? {} : { failOn: [...options.failOn] }),
  };
  const problems = optionValidators.replay.problems(fields);
  if (problems.length > 0)
    fail(problems.map((p) => `${name(p.field as OptionName)} ${p.message}`).join('; '));
  const sinceMs = instant(since, name('since'));
  const untilMs = instant(until, name('until'));
  if (sinceMs !== undefined && untilMs !== undefined && untilMs <= sinceMs)
    fail(`${name('until')} must be after ${name('since')}`);
  return {
    ...(type === undefined ? {} : { types: type }),
    ...(status === undefined ? {} : { statuses: status }),
    ...(sinceMs === undefined ? {} : { sinceMs }),
    ...(untilMs === undefined ? {} : { untilMs }),
  };
}

/**
 * Waits before each event until its original offset from the first, divided by `speed`, has passed
 * since the replay began. The pool pulls one event at a time from here, so the waits pace it.
 */
export async function* paced(
  events: AsyncIterable<ExportedEvent>,
  speed: number,
  now: () => number,
  sleep: (ms: number) => Promise<void>,
): AsyncGenerator<ExportedEvent> {
  let origin: { source: number; replay: number } | undefined;
  for await (const event of events) {
    // A plain line has no time to keep: it goes out at once.
    if (event.receivedAtMs === undefined) {
      yield event;
      continue;
    }
    origin ??= { source: event.receivedAtMs, replay: now() };
    const due = origin.replay + (event.receivedAtMs - origin.source) / speed;
    const wait = due - now();
    if (wait > 0) await sleep(wait);
    yield event;
  }
}

/**
 * Replays exported events to a receiver and resolves with the run's summary (as send's).
 *
 * @throws {SenderConfigError} for bad options, an unreadable source or a bad export line.
 * @example
 * const summary = await replay({ from: 'export.ndjson', to: 'http://localhost:3000/webhooks', secret: 'whsec_…' });
 */
export async function replay(options: ReplayOptions): Promise<SendSummary> {
  const filter = validateReplayOptions(options);
  const url = targetUrl(options.to, optionName('to', options.optionNaming));
  const seed = randomSeed();
  const ids = new Random(`${seed}:ids`);
  const sleep = runSleep(options);
  const now = options.now ?? Date.now;
  const name = optionName('from', options.optionNaming);
  const limits = options.limits ?? {};

  // A file is read twice: once to refuse a bad or unordered line before anything is sent (and to
  // count the events for the progress bar), once to send. A stream is checked as it is sent.
  let planned: number | undefined;
  if (sourceKind(options.from) === 'file') {
    planned = 0;
    for await (const _ of exportedEvents(await openSource(options.from, { name }), filter, limits)) planned++;
  }
  // Aborted like send(): the replay resolves with the summary so far. The abort also cuts the
  // source's connection, so a fetch or a read it interrupts ends the stream instead of failing.
  const stopped = () => options.signal?.aborted === true;
  let bytes: AsyncIterable<Buffer>;
  try {
    bytes = await openSource(options.from, {
      name,
      filter,
      token: options.token,
      stdin: options.stdin,
      signal: options.signal,
    });
  } catch (error) {
    if (!stopped()) throw error;
    bytes = (async function* () {})();
  }
  const events = exportedEvents(bytes, filter, limits);
  const speed = options.speed ?? 'max';
  const ordered = speed === 'max' ? events : paced(events, speed, now, sleep);
  async function* outgoing(): AsyncGenerator<Outgoing> {
    try {
      for await (const event of ordered) {
        yield {
          webhookId: options.newIds === true ? `msg_${ids.base62(24)}` : event.webhookId,
          type: event.type,
          body: event.body,
          first: true,
        };
      }
    } catch (error) {
      if (!stopped()) throw error;
    }
  }
  try {
    const summary = await runDeliveries(
      outgoing(),
      { ...runSettingsFrom(options, url, seed, planned), onStart: options.onStart },
      sleep,
    );
    return { ...summary, novelty: noveltyOf(summary.answers) };
  } finally {
    // A run that stops early (410, abort, a bad line) lets go of the file or connection.
    if ('destroy' in bytes && typeof bytes.destroy === 'function') bytes.destroy();
  }
}
