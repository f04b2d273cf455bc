import { describe, expect, it } from 'vitest';
import { WebhookPayloadError, WebhookVerificationError } from './errors.js';
import { signedDelivery } from './signedDelivery.js';
import { captureError } from './test-support/captureError.js';
import { clockAt, docsExampleEvent, NOW, wsSecret } from './test-support/fixtures.js';
import { Webhook } from './Webhook.js';

const webhook = new Webhook(wsSecret, { now: clockAt(NOW) });
const sent = (payload: unknown, secret: string = wsSecret) =>
  signedDelivery({ secret, payload, id: 'msg_u', timestamp: NOW });

function payloadError(payload: unknown): WebhookPayloadError {
  const delivery = sent(payload);
  const error = captureError(() => webhook.unwrap(delivery.headers, delivery.body));
  expect(error).toBeInstanceOf(WebhookPayloadError);
  const e = error as WebhookPayloadError;
  expect(e.status).toBe(422);
  expect(e.delivery).toEqual({ id: 'msg_u', timestamp: NOW, body: delivery.body });
  return e;
}

describe('Webhook.unwrap', () => {
  it('returns the typed event for the docs example', () => {
    const delivery = sent(docsExampleEvent());
    const result = webhook.unwrap(delivery.headers, delivery.body);
    expect(result.kind).toBe('event');
    if (result.kind !== 'event') return;
    expect(result.id).toBe('msg_u');
    expect(result.timestamp).toBe(NOW);
    expect(result.body.equals(delivery.body)).toBe(true);
    if (result.event.type !== 'course_lesson_interaction.completed') throw new Error(result.event.type);
    expect(result.event.data.user.username).toBe('johndoe42');
    expect(result.event.data.lesson.chapter.id).toBe('chap_xxxxxxxxxxxxx');
  });

  it('returns an event of a type the contract does not know as unknown_event with its envelope', () => {
    // payout.created is not in the catalog (@whop/sdk 0.0.42).
    const payment = { ...docsExampleEvent(), type: 'payout.created', data: { id: 'pay_1', total: 10 } };
    const delivery = sent(payment);
    const result = webhook.unwrap(delivery.headers, delivery.body);
    expect(result).toMatchObject({ kind: 'unknown_event', type: 'payout.created', id: 'msg_u' });
    if (result.kind !== 'unknown_event') return;
    expect(result.envelope.data).toEqual({ id: 'pay_1', total: 10 });
  });

  it('rejects a body that is not JSON as invalid_json, keeping the delivery', () => {
    const error = payloadError('{"id": "msg_1",');
    expect(error.code).toBe('invalid_json');
    expect(error.errors).toHaveLength(1);
    expect(error.errors[0]?.pointer).toBe('');
    expect(error.errors[0]?.message).toMatch(/^invalid JSON: \w/);
    expect(error.message).toMatch(/^The webhook body is not valid UTF-8 JSON \(\w/);
    expect(error.type).toBeNull();
  });

  it('rejects a correctly signed body that is not valid UTF-8 as invalid_json', () => {
    const bytes = Buffer.concat([Buffer.from('{"type":"'), Buffer.from([0xff]), Buffer.from('"}')]);
    const error = payloadError(bytes);
    expect(error.code).toBe('invalid_json');
    expect(error.delivery.body.equals(bytes)).toBe(true);
  });

  it('rejects an event that breaks the contract as contract_violation with every field error', () => {
    const event = docsExampleEvent();
    const broken = {
      ...event,
      data: { ...event.data, completed: 'yes', user: { id: 'user_1', name: 'A', username: 42 } },
    };
    const error = payloadError(broken);
    expect(error.code).toBe('contract_violation');
    expect(error.errors.map((e) => e.pointer).sort()).toEqual(['/data/completed', '/data/user/username']);
    expect(error.message).toContain('/data/user/username: must be string');
    expect(error.type).toBe('course_lesson_interaction.completed');
  });

  it('reports a signature failure before looking at the body', () => {
    const delivery = sent('not json at all', 'ws_someone_else');
    const error = captureError(() => webhook.unwrap(delivery.headers, delivery.body));
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect((error as WebhookVerificationError).code).toBe('no_matching_signature');
  });
});

describe('unwrap error details', () => {
  const webhook = new Webhook(wsSecret, { now: clockAt(NOW) });
  const deliver = (payload: unknown) => {
    const d = signedDelivery({ secret: wsSecret, id: 'msg_details', timestamp: NOW, payload });
    return captureError(() => webhook.unwrap(d.headers, d.body)) as WebhookPayloadError;
  };

  it('keeps the JSON parser error as the cause of invalid_json', () => {
    const error = deliver('{not json');
    expect(error.code).toBe('invalid_json');
    expect(error.cause).toBeInstanceOf(SyntaxError);
    expect(error.name).toBe('WebhookPayloadError');
  });

  it('shows at most five contract errors and counts the rest', () => {
    const event = docsExampleEvent() as unknown as Record<string, Record<string, unknown>>;
    const data = event['data']!;
    Object.assign(data, { completed: 'yes', created_at: 5, id: 7 });
    (data['user'] as Record<string, unknown>)['username'] = 1;
    (data['user'] as Record<string, unknown>)['id'] = 2;
    (data['lesson'] as Record<string, unknown>)['id'] = 3;
    (data['course'] as Record<string, unknown>)['id'] = 4;
    const error = deliver(event);
    expect(error.code).toBe('contract_violation');
    expect(error.errors.length).toBeGreaterThan(5);
    expect(error.message.startsWith('The webhook body breaks the event contract: ')).toBe(true);
    expect(error.message.split('; ')).toHaveLength(5);
    expect(error.errorCount).toBe(error.errors.length);
    expect(error.message.endsWith(` and ${error.errors.length - 5} more.`)).toBe(true);
  });

  it('carries at most 20 errors and the count of a payload built to fail everywhere', () => {
    const mentions = Array.from({ length: 125_000 }, (_, i) => i);
    const error = deliver({
      ...docsExampleEvent(),
      type: 'chat.message.created',
      data: { message: { mentions } },
    });
    expect(error.code).toBe('contract_violation');
    expect(error.errors).toHaveLength(20);
    expect(error.errorCount).toBeGreaterThan(20);
    expect(error.errors).toContainEqual({ pointer: '/data/message/mentions/0', message: 'must be string' });
    // Validation stopped before the end, so the count is a floor and the message says so.
    expect(error.message.endsWith(` and at least ${error.errorCount - 5} more.`)).toBe(true);
  });

  it('shows every error and no count when there are five or fewer', () => {
    const event = docsExampleEvent() as unknown as Record<string, Record<string, unknown>>;
    (event['data']!['user'] as Record<string, unknown>)['username'] = 1;
    const error = deliver(event);
    expect(error.errors).toHaveLength(1);
    expect(error.message).toBe(
      'The webhook body breaks the event contract: /data/user/username: must be string.',
    );
  });
});

describe('WebhookPayloadError', () => {
  const delivery = { id: 'msg_e', timestamp: NOW, body: Buffer.from('{}') };
  const errors = [{ pointer: '/id', message: 'is required' }];

  it('counts its listed errors when no errorCount is given', () => {
    expect(new WebhookPayloadError('contract_violation', 'broken', errors, delivery).errorCount).toBe(1);
  });

  it('keeps an errorCount larger than the list', () => {
    const error = new WebhookPayloadError('contract_violation', 'broken', errors, delivery, {
      errorCount: 40,
    });
    expect(error.errorCount).toBe(40);
  });
});
