import { HttpError } from '@webhook-contracts/http-kit';
import { Webhook, WebhookPayloadError, WebhookVerificationError } from '@webhook-contracts/webhooks';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../errors.js';
import {
  completedEvent,
  otherSecret,
  type SignedRequest,
  signedRequest,
  testSecret,
} from '../test-support/signedRequest.js';
import { type DeliveryToStore, decideDelivery, decideStored } from './decideDelivery.js';
import type { DeliveryRead } from './readDelivery.js';

const webhook = new Webhook(testSecret);
const exit = { drain: true, closeConnection: false };

/** The read result of a whole body, verified as readDelivery does. */
function bodyRead(request: SignedRequest, extraHeaders: Record<string, string> = {}): DeliveryRead {
  const headers = { ...request.headers, ...extraHeaders };
  const base = { kind: 'body' as const, body: request.body, headers, receivedAt: 1_700_000_000_000 };
  try {
    return { ...base, verified: { kind: 'unwrapped', result: webhook.unwrap(headers, request.body) } };
  } catch (error) {
    if (error instanceof WebhookVerificationError)
      return { ...base, verified: { kind: 'unauthentic', error } };
    if (error instanceof WebhookPayloadError) return { ...base, verified: { kind: 'off_contract', error } };
    throw error;
  }
}

function toStore(read: DeliveryRead, mode: 'quarantine' | 'strict' = 'quarantine'): DeliveryToStore {
  const decision = decideDelivery(read, mode);
  if (decision.kind !== 'store')
    throw new Error(`expected a delivery to store, got ${decision.answer.status}`);
  return decision.store;
}

function answerTo(read: DeliveryRead, mode: 'quarantine' | 'strict' = 'quarantine') {
  const decision = decideDelivery(read, mode);
  if (decision.kind !== 'answer') throw new Error('expected an answer, got a delivery to store');
  return decision.answer;
}

describe('decideDelivery', () => {
  it('refuses bad webhook headers with 401 before the body, keeping how to leave the connection', () => {
    const error = new WebhookVerificationError('missing_header', 'The webhook-id header is missing');
    expect(answerTo({ kind: 'bad_headers', error, exit })).toEqual({
      status: 401,
      body: { error: { code: 'missing_header', message: 'The webhook-id header is missing' } },
      outcome: 'rejected_signature',
      log: {
        level: 'warn',
        fields: { code: 'missing_header' },
        message: 'delivery rejected before its body: webhook headers',
      },
      exit,
    });
  });

  it('answers 503 overloaded with Retry-After when too many bodies are in flight', () => {
    const closing = { drain: false, closeConnection: true };
    const answer = answerTo({ kind: 'overloaded', inflightBytes: 900, limit: 1000, exit: closing });
    expect(answer).toMatchObject({
      status: 503,
      body: { error: { code: 'overloaded' } },
      outcome: 'overloaded',
      retryAfter: true,
      exit: closing,
      log: { fields: { inflightBytes: 900, limit: 1000 } },
    });
  });

  it('maps an unreadable body to 413 too_large or 400 bad_request, logging a consumed body as an error', () => {
    const tooLarge = new HttpError(413, 'payload_too_large', 'too big');
    expect(answerTo({ kind: 'unreadable', error: tooLarge, exit })).toMatchObject({
      status: 413,
      body: { error: { code: 'payload_too_large', message: 'too big' } },
      outcome: 'too_large',
      log: { level: 'info', fields: { code: 'payload_too_large' } },
    });
    const consumed = new HttpError(400, 'body_already_consumed', 'mount it first');
    expect(answerTo({ kind: 'unreadable', error: consumed, exit })).toMatchObject({
      status: 400,
      outcome: 'bad_request',
      log: { level: 'error', message: 'mount it first' },
    });
  });

  it('stores an on-contract event as received, keeping only the sender headers and the validated event', () => {
    const request = signedRequest();
    const { delivery, errors } = toStore(bodyRead(request, { cookie: 'session=1', 'user-agent': 'Svix' }));
    expect(errors).toBeUndefined();
    expect(delivery).toEqual({
      webhookId: request.id,
      type: 'course_lesson_interaction.completed',
      status: 'received',
      body: request.body,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Svix',
        'webhook-id': request.id,
        'webhook-timestamp': request.headers['webhook-timestamp'],
      },
      errors: null,
      receivedAt: 1_700_000_000_000,
      event: JSON.parse(request.body.toString('utf8')),
    });
  });

  it('stores an authentic event of an unknown type as unhandled, with no validated event', () => {
    const request = signedRequest({ payload: { ...completedEvent(), type: 'payout.created', data: {} } });
    const { delivery } = toStore(bodyRead(request));
    expect(delivery).toMatchObject({ type: 'payout.created', status: 'unhandled' });
    expect(delivery).not.toHaveProperty('event');
  });

  it('refuses a body signed with another secret with 401', () => {
    const answer = answerTo(bodyRead(signedRequest({ secret: otherSecret })));
    expect(answer).toMatchObject({
      status: 401,
      body: { error: { code: 'no_matching_signature' } },
      outcome: 'rejected_signature',
    });
    expect(answer.exit).toBeUndefined();
  });

  it('quarantines an off-contract event, or refuses it with 422 and the errors in strict mode', () => {
    const event = completedEvent();
    const request = signedRequest({
      payload: { ...event, data: { ...(event['data'] as object), completed: 'yes' } },
    });
    const quarantined = toStore(bodyRead(request));
    expect(quarantined.delivery).toMatchObject({
      type: 'course_lesson_interaction.completed',
      status: 'quarantined',
    });
    expect(quarantined.errors?.length).toBeGreaterThan(0);
    expect(quarantined.delivery.errors).toEqual(quarantined.errors);

    const strict = answerTo(bodyRead(request), 'strict');
    expect(strict).toMatchObject({
      status: 422,
      body: { error: { code: 'contract_violation', details: quarantined.errors } },
      outcome: 'rejected_contract',
    });
  });

  it('keeps 20 of the errors of a payload built to fail everywhere, with their count, in every answer', () => {
    const mentions = Array.from({ length: 125_000 }, (_, i) => i);
    const request = signedRequest({
      payload: { ...completedEvent(), type: 'chat.message.created', data: { message: { mentions } } },
    });
    const quarantined = toStore(bodyRead(request));
    expect(quarantined.errors).toHaveLength(20);
    expect(quarantined.errorCount).toBeGreaterThan(20);
    expect(quarantined.delivery).toMatchObject({ status: 'quarantined', errorCount: quarantined.errorCount });
    expect(quarantined.delivery.errors).toHaveLength(20);
    const stored = decideStored(quarantined, {
      ok: true,
      outcome: { inserted: true, status: 'quarantined', deliveriesSeen: 1 },
    });
    expect(stored.body).toEqual({
      status: 'quarantined',
      webhook_id: request.id,
      errors: quarantined.errors,
      error_count: quarantined.errorCount,
      errors_truncated: true,
    });

    const strict = answerTo(bodyRead(request), 'strict');
    expect(strict.status).toBe(422);
    expect(strict.body).toEqual({
      error: {
        code: 'contract_violation',
        message: expect.stringContaining('and at least'),
        details: quarantined.errors,
        error_count: quarantined.errorCount,
        errors_truncated: true,
      },
    });
    expect(JSON.stringify(strict.body).length).toBeLessThan(5000);
  });

  it('says errors_truncated: false when every error is listed', () => {
    const event = completedEvent();
    const request = signedRequest({
      payload: { ...event, data: { ...(event['data'] as object), completed: 'yes' } },
    });
    const strict = answerTo(bodyRead(request), 'strict');
    expect(strict.body).toMatchObject({
      error: { code: 'contract_violation', error_count: 1, errors_truncated: false },
    });
  });

  it('quarantines a body that is not JSON with no type', () => {
    const { delivery } = toStore(bodyRead(signedRequest({ payload: 'not json' })));
    expect(delivery).toMatchObject({ type: null, status: 'quarantined' });
  });

  it('refuses an event type with a NUL character as unstorable (422) before the store', () => {
    const request = signedRequest({ payload: { ...completedEvent(), type: 'a\u0000b', data: {} } });
    expect(answerTo(bodyRead(request))).toMatchObject({
      status: 422,
      body: { error: { code: 'unstorable_delivery' } },
      outcome: 'unstorable',
    });
  });

  it('refuses a webhook-id longer than the read API can address (256) as unstorable, and keeps one of 256', () => {
    expect(answerTo(bodyRead(signedRequest({ id: `msg_${'x'.repeat(253)}` })))).toMatchObject({
      status: 422,
      body: {
        error: {
          code: 'unstorable_delivery',
          message:
            'The webhook-id is 257 characters, over the 256 the event store keeps: fix the sender; nothing was stored',
        },
      },
      outcome: 'unstorable',
    });
    const { delivery } = toStore(bodyRead(signedRequest({ id: `msg_${'x'.repeat(252)}` })));
    expect(delivery.webhookId).toHaveLength(256);
  });
});

describe('decideStored', () => {
  const received = toStore(bodyRead(signedRequest({ id: 'msg_1' })));

  it('accepts a new received event and wakes the processor', () => {
    expect(
      decideStored(received, {
        ok: true,
        outcome: { inserted: true, status: 'received', deliveriesSeen: 1 },
      }),
    ).toEqual({
      status: 200,
      body: { status: 'accepted', webhook_id: 'msg_1' },
      outcome: 'accepted',
      log: { level: 'debug', fields: { webhookId: 'msg_1' }, message: 'delivery accepted' },
      wake: true,
    });
  });

  it('answers a webhook-id already stored as a duplicate with the delivery count', () => {
    const answer = decideStored(received, {
      ok: true,
      outcome: { inserted: false, status: 'processed', deliveriesSeen: 3 },
    });
    expect(answer).toMatchObject({
      status: 200,
      body: { status: 'duplicate', webhook_id: 'msg_1', deliveries_seen: 3 },
      outcome: 'duplicate',
      duplicate: true,
    });
    expect(answer.wake).toBeUndefined();
  });

  it('answers a stored quarantined delivery 200 with its contract errors', () => {
    const errors = [{ pointer: '/data', message: 'bad' }];
    const quarantined: DeliveryToStore = {
      delivery: { ...received.delivery, status: 'quarantined', errors },
      errors,
    };
    expect(
      decideStored(quarantined, {
        ok: true,
        outcome: { inserted: true, status: 'quarantined', deliveriesSeen: 1 },
      }),
    ).toMatchObject({
      status: 200,
      body: { status: 'quarantined', webhook_id: 'msg_1', errors },
      outcome: 'quarantined',
    });
  });

  it('maps store failures: 422 unstorable, 503 store_overloaded and store_unavailable with Retry-After', () => {
    const unstorable = new StoreError('unstorable_delivery', 'the database refuses it');
    expect(decideStored(received, { ok: false, error: unstorable })).toMatchObject({
      status: 422,
      body: { error: { code: 'unstorable_delivery', message: 'the database refuses it' } },
      outcome: 'unstorable',
    });
    expect(
      decideStored(received, { ok: false, error: new StoreError('store_overloaded', 'queue full') }),
    ).toMatchObject({
      status: 503,
      body: { error: { code: 'store_overloaded' } },
      outcome: 'overloaded',
      retryAfter: true,
    });
    const unknown = decideStored(received, { ok: false, error: new Error('socket hang up') });
    expect(unknown).toMatchObject({
      status: 503,
      body: {
        error: {
          code: 'store_unavailable',
          message: 'The event store cannot take the delivery right now: retry later',
        },
      },
      outcome: 'store_unavailable',
      retryAfter: true,
      log: { level: 'error' },
    });
  });
});

describe('decideDelivery, what each answer says and logs', () => {
  it('says why an overloaded receiver refuses and logs the budget at warn', () => {
    const answer = answerTo({
      kind: 'overloaded',
      inflightBytes: 900,
      limit: 1000,
      exit: { drain: false, closeConnection: true },
    });
    expect(answer.body).toEqual({
      error: {
        code: 'overloaded',
        message:
          'The receiver is reading too many request bodies at once (MAX_INFLIGHT_BODY_BYTES): retry later',
      },
    });
    expect(answer.log).toEqual({
      level: 'warn',
      fields: { inflightBytes: 900, limit: 1000 },
      message: 'delivery refused: too many bodies in flight',
    });
  });

  it('answers an aborted body 400 bad_request, logged at info with its code', () => {
    const aborted = new HttpError(400, 'request_aborted', 'gone');
    expect(answerTo({ kind: 'unreadable', error: aborted, exit })).toEqual({
      status: 400,
      body: { error: { code: 'request_aborted', message: 'gone' } },
      outcome: 'bad_request',
      log: { level: 'info', fields: { code: 'request_aborted' }, message: 'delivery rejected' },
      exit,
    });
  });

  it('logs a bad signature at warn with its code, and a strict refusal with the webhook id', () => {
    const unauthentic = answerTo(bodyRead(signedRequest({ secret: otherSecret })));
    expect(unauthentic.log).toEqual({
      level: 'warn',
      fields: { code: 'no_matching_signature' },
      message: 'delivery rejected: signature verification failed',
    });
    expect((unauthentic.body as { error: { message: string } }).error.message).toMatch(/^No v1 signature/);

    const event = completedEvent();
    const request = signedRequest({
      payload: { ...event, data: { ...(event['data'] as object), completed: 1 } },
    });
    expect(answerTo(bodyRead(request), 'strict').log).toEqual({
      level: 'warn',
      fields: { webhookId: request.id, code: 'contract_violation' },
      message: 'delivery rejected: off contract (strict)',
    });
  });

  it('says the NUL type cannot be stored, and logs the webhook id', () => {
    const request = signedRequest({ payload: { ...completedEvent(), type: 'a\u0000b', data: {} } });
    expect(answerTo(bodyRead(request))).toEqual({
      status: 422,
      body: {
        error: {
          code: 'unstorable_delivery',
          message:
            'The event type contains a NUL character (\\u0000), which the event store cannot keep: fix the sender; nothing was stored',
        },
      },
      outcome: 'unstorable',
      log: {
        level: 'warn',
        fields: { webhookId: request.id },
        message: 'delivery refused: its type contains a NUL character',
      },
    });
  });
});

describe('decideDelivery, what a quarantined delivery keeps', () => {
  it('keeps no type for a body that is not UTF-8, even one naming a type', () => {
    const payload = Buffer.concat([Buffer.from('{"type":"a'), Buffer.from([0xff]), Buffer.from('"}')]);
    const { delivery, errors } = toStore(bodyRead(signedRequest({ payload })));
    expect(delivery).toMatchObject({ type: null, status: 'quarantined' });
    expect(errors?.length).toBeGreaterThan(0);
  });

  it('keeps the type only when the JSON is an object with a string type', () => {
    const typeOf = (payload: string) => toStore(bodyRead(signedRequest({ payload }))).delivery.type;
    expect(typeOf('{"type":"x.y"}')).toBe('x.y');
    expect(typeOf('{"type":7}')).toBeNull();
    expect(typeOf('["x.y"]')).toBeNull();
    expect(typeOf('null')).toBeNull();
    expect(typeOf('"x.y"')).toBeNull();
  });

  it('hands the errors to the store and the answer as they are (the store keeps NUL out)', () => {
    const errors = [{ pointer: '/a\u0000b', message: 'bad \u0000 value' }];
    const request = signedRequest({ payload: '{}' });
    const base = bodyRead(request);
    if (base.kind !== 'body') throw new Error('expected a body');
    const offContract = new WebhookPayloadError('contract_violation', 'off contract', errors, {
      id: request.id,
      timestamp: 0,
      body: request.body,
    });
    const { delivery, errors: answered } = toStore({
      ...base,
      verified: { kind: 'off_contract', error: offContract },
    });
    expect(delivery.errors).toEqual(errors);
    expect(answered).toEqual(errors);
  });

  it('joins a repeated kept header and leaves out headers that are absent', () => {
    const request = signedRequest();
    const read = bodyRead(request);
    if (read.kind !== 'body') throw new Error('expected a body');
    const headers = { 'webhook-id': request.id, 'user-agent': ['a', 'b'] } as never;
    expect(toStore({ ...read, headers }).delivery.headers).toStrictEqual({
      'webhook-id': request.id,
      'user-agent': 'a, b',
    });
  });
});

describe('decideStored, what each stored outcome says and logs', () => {
  const unhandled = toStore(
    bodyRead(
      signedRequest({ id: 'msg_2', payload: { ...completedEvent(), type: 'payout.created', data: {} } }),
    ),
  );

  it('answers a kept unknown type with its status only, logged at info', () => {
    expect(
      decideStored(unhandled, {
        ok: true,
        outcome: { inserted: true, status: 'unhandled', deliveriesSeen: 1 },
      }),
    ).toEqual({
      status: 200,
      body: { status: 'unhandled', webhook_id: 'msg_2' },
      outcome: 'unhandled',
      log: {
        level: 'info',
        fields: { webhookId: 'msg_2', type: 'payout.created', status: 'unhandled' },
        message: 'delivery of an unknown type kept',
      },
    });
  });

  it('logs a duplicate at debug with the delivery count', () => {
    expect(
      decideStored(unhandled, {
        ok: true,
        outcome: { inserted: false, status: 'unhandled', deliveriesSeen: 4 },
      }).log,
    ).toEqual({
      level: 'debug',
      fields: { webhookId: 'msg_2', deliveriesSeen: 4 },
      message: 'duplicate delivery',
    });
  });

  it('logs store refusals: unstorable and a full queue at warn, anything else at error', () => {
    const unstorable = new StoreError('unstorable_delivery', 'no');
    expect(decideStored(unhandled, { ok: false, error: unstorable })).toEqual({
      status: 422,
      body: { error: { code: 'unstorable_delivery', message: 'no' } },
      outcome: 'unstorable',
      log: {
        level: 'warn',
        fields: { err: unstorable, webhookId: 'msg_2' },
        message: 'delivery refused by the store',
      },
    });
    expect(decideStored(unhandled, { ok: false, error: new StoreError('store_overloaded', 'full') })).toEqual(
      {
        status: 503,
        body: {
          error: {
            code: 'store_overloaded',
            message: 'The event store has too many deliveries waiting to be written: retry later',
          },
        },
        outcome: 'overloaded',
        log: { level: 'warn', fields: { webhookId: 'msg_2' }, message: 'delivery refused: store queue full' },
        retryAfter: true,
      },
    );
    const closed = new StoreError('store_closed', 'closed');
    expect(decideStored(unhandled, { ok: false, error: closed })).toEqual({
      status: 503,
      body: {
        error: {
          code: 'store_closed',
          message: 'The event store cannot take the delivery right now: retry later',
        },
      },
      outcome: 'store_unavailable',
      log: {
        level: 'error',
        fields: { err: closed, webhookId: 'msg_2' },
        message: 'store could not take the delivery',
      },
      retryAfter: true,
    });
  });
});
