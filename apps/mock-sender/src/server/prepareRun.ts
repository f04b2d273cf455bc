// A run request turned into work: its options checked now (so a mistake is a 400 to this request,
// not a failed background run), its target, source and secret allowed by the policy, its schedule
// within SENDER_MAX_RUN_SECONDS.
import { type CheckReport, check } from '../check/check.js';
import {
  type ParsedReplayRequest,
  parseCheckRequest,
  parseReplayRequest,
  parseSendRequest,
} from '../options/parseRequestOptions.js';
import { REQUEST_LIMITS } from '../options/SendRequest.js';
import { targetUrl } from '../options/targetUrl.js';
import { replay, validateReplayOptions } from '../replay/replay.js';
import { runFailed, type SendSummary } from '../report/summary.js';
import { plannedEvents } from '../sending/eventSource.js';
import type { DeliveryRecord } from '../sending/runDeliveries.js';
import { DEFAULT_RETRY_SCHEDULE, send, validateSendOptions } from '../sending/send.js';
import type { DeliveryLog } from './DeliveryLog.js';
import type { RunPolicy } from './RunPolicy.js';
import type { RunKind } from './RunRegistry.js';
import { refuseOverlongSchedule } from './runSchedule.js';
import type { RunWork } from './timeLimited.js';

/** A run ready to start: what it is, whether the client waits for it, its work and its verdict. */
export interface PreparedRun {
  kind: RunKind;
  wait: boolean;
  work: RunWork;
  passed: (result: unknown) => boolean;
}

export interface RunContext {
  policy: RunPolicy;
  /** Where each delivery is recorded for GET /deliveries. */
  deliveries: DeliveryLog;
  maxRunSeconds: number;
  log: (text: string) => void;
}

/**
 * A run that delivers (send, replay): each delivery goes to GET /deliveries and to the run's
 * progress, and it passed when every event was delivered.
 */
function deliveringRun(
  kind: 'send' | 'replay',
  wait: boolean | undefined,
  context: RunContext,
  start: (signal: AbortSignal, onDelivery: (delivery: DeliveryRecord) => void) => Promise<SendSummary>,
): PreparedRun {
  return {
    kind,
    wait: wait !== false,
    work: (signal, progress) =>
      start(signal, (delivery) => {
        context.deliveries.add(delivery);
        progress(delivery.delivered);
      }),
    passed: (summary) => !runFailed(summary as SendSummary),
  };
}

function prepareSend(
  { secret, wait, ...request }: ReturnType<typeof parseSendRequest>,
  context: RunContext,
): PreparedRun {
  const secrets = context.policy.secretsForTarget(String(request.to), secret);
  validateSendOptions({ ...request, secret: secrets, optionNaming: 'fields' });
  refuseOverlongSchedule(
    {
      deliveries: (plannedEvents(request) ?? 0) * (request.duplicates ?? 1),
      rate: request.rate,
      retrySchedule: request.retrySchedule ?? DEFAULT_RETRY_SCHEDULE,
    },
    context.maxRunSeconds,
  );
  return deliveringRun('send', wait, context, (signal, onDelivery) =>
    send({
      ...request,
      secret: secrets,
      signal,
      optionNaming: 'fields',
      onWarning: (message) => context.log(`warning: ${message}`),
      onDelivery,
    }),
  );
}

function prepareReplay(
  { secret, wait, token, ...request }: ParsedReplayRequest,
  context: RunContext,
): PreparedRun {
  targetUrl(request.from, 'from');
  const source = context.policy.checkSource(request.from);
  const secrets = context.policy.secretsForTarget(String(request.to), secret);
  const sourceToken = token ?? context.policy.serviceTokenFor(source);
  validateReplayOptions({ ...request, secret: secrets, optionNaming: 'fields' });
  // A replay's deliveries are known only as its source streams: its retries are what is known now.
  refuseOverlongSchedule(
    { retrySchedule: request.retrySchedule ?? DEFAULT_RETRY_SCHEDULE },
    context.maxRunSeconds,
  );
  const { maxLines, maxBytes } = REQUEST_LIMITS.replay;
  return deliveringRun('replay', wait, context, (signal, onDelivery) =>
    replay({
      ...request,
      secret: secrets,
      ...(sourceToken === undefined || sourceToken === '' ? {} : { token: sourceToken }),
      signal,
      limits: { maxLines, maxBytes },
      optionNaming: 'fields',
      onDelivery,
    }),
  );
}

function prepareCheck(
  { secret, wait, ...request }: ReturnType<typeof parseCheckRequest>,
  context: RunContext,
): PreparedRun {
  const secrets = context.policy.secretsForTarget(String(request.to), secret);
  targetUrl(String(request.to), 'to');
  return {
    kind: 'check',
    wait: wait !== false,
    work: (signal) => check({ ...request, secret: secrets, signal, optionNaming: 'fields' }),
    passed: (report) => (report as CheckReport).passed,
  };
}

/**
 * Parses a run request's JSON body for `kind` and prepares the run.
 *
 * @throws {SenderConfigError} 400 for options that do not parse or cannot work;
 *   {HttpError} 403 for a target, source or secret the policy refuses, 400 `run_too_long`.
 * @example
 * const run = prepareRun('send', { to: 'http://127.0.0.1:3000/webhooks', generate: 3 }, context);
 */
export function prepareRun(kind: RunKind, body: unknown, context: RunContext): PreparedRun {
  switch (kind) {
    case 'send':
      return prepareSend(parseSendRequest(body), context);
    case 'replay':
      return prepareReplay(parseReplayRequest(body), context);
    case 'check':
      return prepareCheck(parseCheckRequest(body), context);
  }
}
