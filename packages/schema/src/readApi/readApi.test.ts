import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ContractError } from '../ContractError.js';
import { answerStatuses } from './answerStatuses.js';
import {
  ErrorBody,
  EventError,
  EventRecord,
  EventStatus,
  ExportLine,
  eventStatuses,
  instantPattern,
  receiverRoutes,
  WebhookAnswer,
} from './index.js';

const ajv = new Ajv({ allErrors: true });
ajvFormats.default(ajv);
const valid = (schema: object, value: unknown) => ajv.validate(schema, value);

const summary = {
  webhook_id: 'msg_1',
  type: 'course_lesson_interaction.completed',
  status: 'processed',
  errors: null,
  error_count: null,
  errors_truncated: false,
  deliveries_seen: 1,
  received_at: '2026-01-31T12:00:00.000Z',
  processed_at: '2026-01-31T12:00:00.010Z',
  attempts: 1,
  last_error: null,
  next_attempt_at: null,
};

describe('the read API shapes', () => {
  it("declares EventError as the package's ContractError", () => {
    expectTypeOf<EventError>().toEqualTypeOf<ContractError>();
    expect(EventError.required).toEqual(['pointer', 'message']);
  });

  it('builds EventStatus from eventStatuses, one literal each', () => {
    expectTypeOf<EventStatus>().toEqualTypeOf<
      'received' | 'processed' | 'failed' | 'quarantined' | 'unhandled'
    >();
    expect(EventStatus.anyOf.map((s) => s.const)).toEqual([...eventStatuses]);
    expect(valid(EventStatus, 'archived')).toBe(false);
  });

  it("lists WebhookAnswer's statuses in answerStatuses, in its order", () => {
    expect(WebhookAnswer.anyOf.map((variant) => variant.properties.status.const)).toEqual([
      ...answerStatuses,
    ]);
  });

  it('takes an event with its JSON payload or its payload text, and refuses one with neither or both', () => {
    const headers = { 'webhook-id': 'msg_1' };
    expect(valid(EventRecord, { ...summary, headers, payload: { id: 'msg_1' } })).toBe(true);
    expect(valid(EventRecord, { ...summary, headers, payload: null })).toBe(true);
    expect(valid(EventRecord, { ...summary, headers, payload_text: 'not json' })).toBe(true);
    expect(valid(EventRecord, { ...summary, headers })).toBe(false);
    expect(valid(EventRecord, { ...summary, headers, payload: {}, payload_text: '{}' })).toBe(false);
  });

  it('takes an export line with a null type and refuses one whose body is not base64', () => {
    const line = {
      webhook_id: 'msg_1',
      type: null,
      status: 'quarantined',
      received_at: '2026-01-31T12:00:00.000Z',
      body_base64: Buffer.from('not json').toString('base64'),
    };
    expect(valid(ExportLine, line)).toBe(true);
    expect(valid(ExportLine, { ...line, body_base64: 'not base64!' })).toBe(false);
    expect(valid(ExportLine, { ...line, received_at: '2026-01-31' })).toBe(false);
  });

  it('tells the webhook answers apart and takes the strict-mode error body with its tally', () => {
    expect(valid(WebhookAnswer, { status: 'accepted', webhook_id: 'msg_1' })).toBe(true);
    expect(valid(WebhookAnswer, { status: 'duplicate', webhook_id: 'msg_1' })).toBe(false);
    expect(
      valid(ErrorBody, {
        error: {
          code: 'contract_violation',
          message: 'The webhook body breaks the event contract',
          details: [{ pointer: '/id', message: 'is required' }],
          error_count: 1,
          errors_truncated: false,
        },
      }),
    ).toBe(true);
    expect(valid(ErrorBody, { error: { code: 'x' } })).toBe(false);
  });

  it('accepts since/until with their offset only', () => {
    const instant = new RegExp(instantPattern);
    expect(instant.test('2026-01-31T12:00Z')).toBe(true);
    expect(instant.test('2026-01-31t12:00:00.123456789+05:30')).toBe(true);
    expect(instant.test('2026-01-31T12:00:00')).toBe(false);
    expect(instant.test('2026-01-31')).toBe(false);
  });
});

describe('receiverRoutes', () => {
  it('lists each operation once', () => {
    const operations = receiverRoutes.map((r) => `${r.method} ${r.path}`);
    expect(new Set(operations).size).toBe(operations.length);
    expect(operations).toContain('get /events/{id}');
  });

  it('declares 401 and 403 on every route behind the bearer token, and the path parameters of each path', () => {
    for (const route of receiverRoutes) {
      if (route.auth === 'bearer')
        expect(Object.keys(route.answers), route.path).toEqual(expect.arrayContaining(['401', '403']));
      const inPath = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(
        route.parameters.filter((p) => p.in === 'path').map((p) => p.name),
        route.path,
      ).toEqual(inPath);
    }
  });
});
