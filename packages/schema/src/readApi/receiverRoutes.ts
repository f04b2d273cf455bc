// The receiver's HTTP API as data: each route with its parameters (and their bounds), its answers
// and the shape of each answer's body. contracts/ generates the OpenAPI `paths` from this table and
// drives the built receiver through every route in it; the receiver reads its bounds from
// readApiLimits, the same numbers this table publishes.
import { type TSchema, Type } from '@sinclair/typebox';
import { MembershipStatus } from '../catalog/resources.js';
import { Envelope } from '../Envelope.js';
import { DeadLetterPage } from './DeadLetterPage.js';
import { ErrorBody } from './ErrorBody.js';
import { EventPage } from './EventPage.js';
import { EventRecord } from './EventRecord.js';
import { EventStatus } from './EventStatus.js';
import { ExportLine } from './ExportLine.js';
import { ForwardingSummary } from './ForwardingSummary.js';
import { DeadLettersQueued, ForwardQueued } from './ForwardQueued.js';
import { Health } from './Health.js';
import { MembershipPage } from './MembershipPage.js';
import { MembershipRecord } from './MembershipRecord.js';
import { ProgressPage } from './ProgressPage.js';
import { ReplayQueued } from './ReplayQueued.js';
import {
  forwardingLimits,
  instantPattern,
  maxFilterValues,
  pageLimit,
  parameterMaxLength,
} from './readApiLimits.js';
import { WebhookAnswer } from './WebhookAnswer.js';

export interface RouteParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description: string;
  schema: TSchema;
  /** A comma list in one value (`type=a,b`): OpenAPI's `style: form, explode: false`. */
  commaList?: true;
}

export interface RouteAnswer {
  description: string;
  /** The body's schema; for `application/x-ndjson`, each line's. */
  body: TSchema;
  /** Default `application/json`. */
  contentType?: 'application/x-ndjson';
  /** The answer carries `Retry-After` (seconds). */
  retryAfter?: true;
}

export interface ReceiverRoute {
  method: 'get' | 'post';
  /** An OpenAPI path template: `/events/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  /** `bearer`: the read API token (RECEIVER_API_TOKEN). `none`: open, or signed like POST /webhooks. */
  auth: 'bearer' | 'none';
  parameters: readonly RouteParameter[];
  requestBody?: { description: string; body: TSchema };
  /** By status code. */
  answers: Readonly<Record<string, RouteAnswer>>;
}

/** The Standard Webhooks headers every delivery carries (POST /webhooks, and each `webhooks` entry). */
export const webhookHeaders: readonly RouteParameter[] = [
  {
    in: 'header',
    name: 'webhook-id',
    required: true,
    description:
      'A unique identifier for this webhook message; the same on every retry, so receivers deduplicate on it.',
    schema: Type.String({ examples: ['msg_xxxxxxxxxxxxxxxxxxxxxxxx'] }),
  },
  {
    in: 'header',
    name: 'webhook-timestamp',
    required: true,
    description:
      'The time of this delivery attempt in integer seconds since the Unix epoch; receivers reject it when more than 300 s away from their clock.',
    schema: Type.String({ examples: ['1727606400'] }),
  },
  {
    in: 'header',
    name: 'webhook-signature',
    required: true,
    description:
      'Space-separated list of `v1,<base64 HMAC-SHA256>` signatures of `<webhook-id>.<webhook-timestamp>.<raw body>` (Standard Webhooks); one per active secret.',
    schema: Type.String({ examples: ['v1,BASE64ENCODEDSIGNATURE'] }),
  },
];

const error = (description: string, retryAfter?: true): RouteAnswer => ({
  description,
  body: ErrorBody,
  ...(retryAfter ? { retryAfter } : {}),
});

const internalError = error('An unexpected error, logged by the receiver (internal_error).');

/** The answers every route of the read API may give besides its own. */
const readApiErrors = {
  '401': error(
    'No `Authorization: Bearer <token>` header (missing_token) or another token (invalid_token); the answer carries `WWW-Authenticate`.',
  ),
  '403': error('The read API is off: the receiver runs without RECEIVER_API_TOKEN (read_api_disabled).'),
  '500': internalError,
  '503': error('The event store is not answering (store_unavailable, …): retry later.', true),
} as const;

const invalidQuery = error(
  'A parameter is malformed, repeated, too long or out of range (invalid_query, with `details: [{ parameter, problem }]`), or a cursor was not issued by this receiver (invalid_cursor).',
);

const query = (name: string, description: string, schema: TSchema): RouteParameter => ({
  in: 'query',
  name,
  required: false,
  description,
  schema,
});

const text = (max: number, description?: string) =>
  Type.String({ maxLength: max, ...(description === undefined ? {} : { description }) });

const limit = query(
  'limit',
  'Most items on the page; a page also ends early, with a next_cursor, once its items pass 1 MiB of JSON.',
  Type.Integer({ ...pageLimit }),
);
const destination = query(
  'destination',
  'Only this destination (`nats`, `amqp`, `http`).',
  text(parameterMaxLength.destination),
);
const cursor = query('cursor', 'The `next_cursor` of the previous page.', text(parameterMaxLength.cursor));
const eventId: RouteParameter = {
  in: 'path',
  name: 'id',
  required: true,
  description: 'The webhook-id of the event.',
  schema: text(parameterMaxLength.webhook_id),
};
const commaList = (name: string, description: string, items: TSchema): RouteParameter => ({
  ...query(name, description, Type.Array(items, { minItems: 1, maxItems: maxFilterValues })),
  commaList: true,
});
const instant = (name: string, description: string) =>
  query(name, description, Type.String({ pattern: instantPattern, examples: ['2026-01-31T12:00:00Z'] }));

/** The filters of the dead-letter list and of its re-forward. */
const deadLetterFilters: readonly RouteParameter[] = [
  destination,
  query(
    'type',
    'Only events of this type, or under a prefix: `payment.succeeded`, `payment.*` (the FORWARD_<KIND>_TYPES grammar).',
    text(forwardingLimits.typePattern),
  ),
  instant('since', 'Only events received at or after this instant (with its offset).'),
  instant('until', 'Only events received before this instant (with its offset).'),
];

/** Every route the receiver serves to clients (not /metrics or the inspector's files), in a stable order. */
export const receiverRoutes: readonly ReceiverRoute[] = [
  {
    method: 'post',
    path: '/webhooks',
    operationId: 'receiveWebhook',
    summary: 'Receive one signed delivery: verify, validate, store durably, then answer',
    auth: 'none',
    parameters: webhookHeaders,
    requestBody: {
      description:
        'The raw body the signature covers. A signed body that is not JSON or breaks the contract is quarantined (200) or, with CONTRACT_MODE=strict, refused (422).',
      body: Envelope,
    },
    answers: {
      '200': {
        description:
          'Stored (or already stored) durably: accepted, duplicate, unhandled (a type the contract does not know) or quarantined (off contract).',
        body: WebhookAnswer,
      },
      '400': error('The request body could not be read (request_aborted, bad_request).'),
      '401': error(
        'The signature could not be verified: a webhook-* header is missing or malformed, the timestamp is outside the tolerance, or no signature matches a configured secret. Codes: missing_header, invalid_timestamp, timestamp_too_old, timestamp_too_new, invalid_signature_header, no_matching_signature.',
      ),
      '408': error('The body arrived slower than the minimum rate (body_too_slow).'),
      '413': error('The body is larger than MAX_BODY_BYTES (payload_too_large).'),
      '422': error(
        'Correctly signed, but nothing was stored: with CONTRACT_MODE=strict, the body is not JSON (invalid_json) or breaks the contract (contract_violation, with details, error_count and errors_truncated); in any mode, a delivery the store cannot keep (unstorable_delivery).',
      ),
      '500': internalError,
      '503': error(
        'Too many bodies in flight (overloaded) or the store cannot take the delivery (store_unavailable, store_overloaded): retry later.',
        true,
      ),
    },
  },
  {
    method: 'get',
    path: '/events',
    operationId: 'listEvents',
    summary: 'Stored events, newest first, a page at a time',
    auth: 'bearer',
    parameters: [
      query('type', 'Only events of this type.', text(parameterMaxLength.type)),
      query('status', 'Only events in this status.', EventStatus),
      cursor,
      limit,
    ],
    answers: {
      '200': { description: 'One page of events.', body: EventPage },
      '400': invalidQuery,
      ...readApiErrors,
    },
  },
  {
    method: 'get',
    path: '/events/export',
    operationId: 'exportEvents',
    summary: 'Every matching stored event with its body, oldest first, as NDJSON',
    auth: 'bearer',
    parameters: [
      commaList('type', 'Only events of these types (a comma list).', text(parameterMaxLength.type)),
      commaList('status', 'Only events in these statuses (a comma list).', EventStatus),
      instant('since', 'Only events received at or after this instant (with its offset).'),
      instant('until', 'Only events received before this instant (with its offset).'),
    ],
    answers: {
      '200': {
        description:
          'One ExportLine per line, oldest first. A failure part-way closes the connection mid-stream.',
        body: ExportLine,
        contentType: 'application/x-ndjson',
      },
      '400': invalidQuery,
      ...readApiErrors,
      '429': error('MAX_CONCURRENT_EXPORTS exports are running (too_many_exports): retry later.', true),
    },
  },
  {
    method: 'get',
    path: '/events/{id}',
    operationId: 'getEvent',
    summary: 'One stored event with its headers and payload',
    auth: 'bearer',
    parameters: [eventId],
    answers: {
      '200': { description: 'The event.', body: EventRecord },
      '400': invalidQuery,
      ...readApiErrors,
      '404': error('No event with this webhook-id is stored (event_not_found).'),
    },
  },
  {
    method: 'post',
    path: '/events/{id}/replay',
    operationId: 'replayEvent',
    summary: 'Queue a stored event for processing again',
    auth: 'bearer',
    parameters: [eventId],
    answers: {
      '202': { description: 'Queued: the event is `received` again.', body: ReplayQueued },
      '400': invalidQuery,
      ...readApiErrors,
      '404': error('No event with this webhook-id is stored (event_not_found).'),
    },
  },
  {
    method: 'post',
    path: '/events/{id}/forward',
    operationId: 'forwardEvent',
    summary: 'Forward a stored event again (a dead letter, say), to one destination or all',
    auth: 'bearer',
    parameters: [
      eventId,
      query(
        'destination',
        'Only this destination (`nats`, `amqp`, `http`); default every one configured.',
        text(parameterMaxLength.destination),
      ),
    ],
    answers: {
      '202': {
        description: 'Queued: the event is pending again at those destinations.',
        body: ForwardQueued,
      },
      '400': invalidQuery,
      ...readApiErrors,
      '404': error('No event with this webhook-id is stored (event_not_found).'),
      '409': error(
        'The event cannot be forwarded: it is quarantined, has no type, or forwarding is off (not_forwardable).',
      ),
    },
  },
  {
    method: 'get',
    path: '/forwarding',
    operationId: 'forwardingSummary',
    summary: "Each forwarding destination's health and backlog (bounded counts, oldest waiting event)",
    auth: 'bearer',
    parameters: [],
    answers: {
      '200': {
        description: 'Each destination, or `enabled: false` and none when forwarding is off.',
        body: ForwardingSummary,
      },
      ...readApiErrors,
    },
  },
  {
    method: 'get',
    path: '/forwarding/dead-letters',
    operationId: 'listDeadLetters',
    summary: 'Events given up on for a forwarding destination (FORWARD_MAX_ATTEMPTS), a page at a time',
    auth: 'bearer',
    parameters: [...deadLetterFilters, cursor, limit],
    answers: {
      '200': { description: 'One page of dead letters.', body: DeadLetterPage },
      '400': invalidQuery,
      ...readApiErrors,
    },
  },
  {
    method: 'post',
    path: '/forwarding/dead-letters/forward',
    operationId: 'forwardDeadLetters',
    summary: `Forward the dead letters matching the filters again, at most ${forwardingLimits.batch} per request`,
    auth: 'bearer',
    parameters: [
      ...deadLetterFilters,
      query(
        'cursor',
        'The `next_cursor` of the previous answer: go on after its batch.',
        text(parameterMaxLength.cursor),
      ),
    ],
    answers: {
      '202': {
        description: 'Queued: this batch is pending again; `next_cursor` is set when more match.',
        body: DeadLettersQueued,
      },
      '400': invalidQuery,
      ...readApiErrors,
    },
  },
  {
    method: 'get',
    path: '/progress',
    operationId: 'listProgress',
    summary: 'Lesson progress per (user, course), a page at a time',
    auth: 'bearer',
    parameters: [
      query('user_id', 'Only this user.', text(parameterMaxLength.user_id)),
      query('course_id', 'Only this course.', text(parameterMaxLength.course_id)),
      cursor,
      limit,
    ],
    answers: {
      '200': { description: 'One page of progress rows.', body: ProgressPage },
      '400': invalidQuery,
      ...readApiErrors,
    },
  },
  {
    method: 'get',
    path: '/memberships',
    operationId: 'listMemberships',
    summary: 'The newest known state of each membership, a page at a time, ordered by membership id',
    auth: 'bearer',
    parameters: [
      query('user_id', 'Only this user.', text(parameterMaxLength.user_id)),
      query('status', 'Only memberships in this status.', MembershipStatus),
      cursor,
      limit,
    ],
    answers: {
      '200': { description: 'One page of memberships.', body: MembershipPage },
      '400': invalidQuery,
      ...readApiErrors,
    },
  },
  {
    method: 'get',
    path: '/memberships/{id}',
    operationId: 'getMembership',
    summary: 'The newest known state of one membership',
    auth: 'bearer',
    parameters: [
      {
        in: 'path',
        name: 'id',
        required: true,
        description: 'The membership id (`mem_…`).',
        schema: text(parameterMaxLength.membership_id),
      },
    ],
    answers: {
      '200': { description: 'The membership.', body: MembershipRecord },
      '400': invalidQuery,
      ...readApiErrors,
      '404': error('No membership with this id is known (membership_not_found).'),
    },
  },
  {
    method: 'get',
    path: '/healthz',
    operationId: 'health',
    summary: 'Whether the receiver and its store answer',
    auth: 'none',
    parameters: [],
    answers: {
      '200': {
        description:
          'The store answered in time, or (status `spooling`) the local spool takes deliveries instead.',
        body: Health,
      },
      '503': error(
        'The store did not answer in time or answered with an error, and no spool with room takes deliveries instead (store_unavailable, with `details: [{ check, failure }]`).',
      ),
    },
  },
];
