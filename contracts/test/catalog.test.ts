// The whole catalog end to end: every generated event of every type passes our schema and the
// generated JSON Schema, and is accepted by the real Whop SDK (`webhooks.unwrap` with
// btoa(ws_ secret)) once signed; a strict receiver takes every generated event and hands each to
// the handler registered for its type, narrowed to that type. (The committed invalid payment,
// membership and refund examples are refused with 422 at their pointers in receiver.test.ts.)
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCatalogEvents } from '@webhook-contracts/mock-sender';
import type { MembershipActivated, PaymentSucceeded } from '@webhook-contracts/schema';
import { type KnownEvent, knownEventTypes, validateEvent } from '@webhook-contracts/schema';
import { eventually } from '@webhook-contracts/test-kit';
import { signedHeaders } from '@webhook-contracts/webhooks';
import Whop from '@whop/sdk';
import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { contractsDir } from '../scripts/artefacts.js';
import { type ListeningReceiver, startListeningReceiver } from './support/listeningReceiver.js';
import { whopSecret } from './support/referenceWebhook.js';

const PER_TYPE = 3;
const events: KnownEvent[] = [
  ...generateCatalogEvents({ seed: 'catalog-proof', count: PER_TYPE * 41, types: [...knownEventTypes] }),
];

function plainJsonSchema(type: string): ValidateFunction {
  const ajv = new Ajv({ allErrors: true });
  ajvFormats.default(ajv);
  return ajv.compile(JSON.parse(readFileSync(join(contractsDir, 'schemas', `${type}.json`), 'utf8')));
}

describe('generated events of every catalog type', () => {
  it(`cover all 41 types, ${PER_TYPE} events each`, () => {
    const types = new Set(events.map((e) => e.type));
    expect([...types].sort()).toEqual([...knownEventTypes]);
    expect(events).toHaveLength(PER_TYPE * 41);
  });

  it('pass validateEvent and the generated standalone JSON Schema of their type', () => {
    const schemas = new Map<string, ValidateFunction>();
    for (const event of events) {
      const value = JSON.parse(JSON.stringify(event)) as unknown;
      expect(validateEvent(value).kind, event.type).toBe('event');
      let schema = schemas.get(event.type);
      if (!schema) {
        schema = plainJsonSchema(event.type);
        schemas.set(event.type, schema);
      }
      expect(schema(value), `${event.type}: ${JSON.stringify(schema.errors)}`).toBe(true);
    }
  });

  it("verify with the real Whop SDK's webhooks.unwrap (btoa of the ws_ secret) and come back equal", () => {
    const whop = new Whop({ apiKey: 'offline-contract-suite', webhookKey: btoa(whopSecret) });
    const now = Math.floor(Date.now() / 1000);
    for (const event of events) {
      const body = JSON.stringify(event);
      const headers = signedHeaders({ secret: whopSecret, id: event.id, timestamp: now, body });
      const unwrapped = whop.webhooks.unwrap(body, { headers });
      expect(unwrapped).toEqual(JSON.parse(body));
      expect(unwrapped.type).toBe(event.type);
    }
    const body = JSON.stringify(events[0]);
    const headers = signedHeaders({ secret: 'ws_another', id: 'msg_x', timestamp: now, body });
    expect(() => whop.webhooks.unwrap(body, { headers })).toThrow();
  });
});

describe('the table of supported types in docs/reference/event-catalog.md', () => {
  it('lists every type once, each with an example file that exists', () => {
    const readme = readFileSync(join(contractsDir, '..', 'docs', 'reference', 'event-catalog.md'), 'utf8');
    const rows = [
      ...readme.matchAll(
        /^\| `([a-z_.]+)` +\| `(\w+)` +\| \[([\w.-]+)\]\(\.\.\/\.\.\/contracts\/examples\/([a-z_.]+)\/([\w.-]+)\)/gm,
      ),
    ];
    expect(rows.map((r) => r[1])).toEqual([...knownEventTypes]);
    for (const [, type, , , folder, file] of rows) {
      expect(folder).toBe(type);
      expect(existsSync(join(contractsDir, 'examples', folder!, file!)), `${folder}/${file}`).toBe(true);
    }
  });
});

describe('a strict receiver with per-type handlers', () => {
  let receiver: ListeningReceiver;
  const payments: PaymentSucceeded[] = [];
  const memberships: MembershipActivated[] = [];

  beforeAll(async () => {
    receiver = await startListeningReceiver({
      secret: whopSecret,
      contractMode: 'strict',
      handlers: {
        'payment.succeeded': (event) => {
          expectTypeOf(event).toEqualTypeOf<PaymentSucceeded>();
          payments.push(event);
          return {};
        },
        'membership.activated': async (event) => {
          expectTypeOf(event.data.status).toEqualTypeOf<MembershipActivated['data']['status']>();
          memberships.push(event);
          return {};
        },
      },
    });
  });
  afterAll(async () => {
    await receiver.stop();
  });

  it('accepts every generated event; handled types are processed, the rest kept as unhandled', async () => {
    const now = Math.floor(Date.now() / 1000);
    const ids = new Map<string, string>();
    for (const event of events) {
      const body = JSON.stringify(event);
      const id = `msg_${randomUUID().replaceAll('-', '').slice(0, 24)}`;
      const res = await fetch(`${receiver.url}/webhooks`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...signedHeaders({ secret: whopSecret, id, timestamp: now, body }),
        },
        body,
      });
      expect(res.status, `${event.type}: ${await res.clone().text()}`).toBe(200);
      await res.arrayBuffer();
      ids.set(id, event.type);
    }
    // The receiver's read models follow lesson completions and every membership event.
    const handled = new Set([
      'payment.succeeded',
      'membership.activated',
      'membership.cancel_at_period_end_changed',
      'membership.deactivated',
      'membership.trial_ending_soon',
      'course_lesson_interaction.completed',
    ]);
    for (const [id, type] of ids) {
      const stored = await eventually(`${type} ${id} settled`, async () => {
        const e = await receiver.readApi.event(id);
        return e && e.status !== 'received' ? e : undefined;
      });
      expect(stored.type).toBe(type);
      expect(stored.status, type).toBe(handled.has(type) ? 'processed' : 'unhandled');
    }
    expect(payments.map((e) => e.type)).toEqual(Array(PER_TYPE).fill('payment.succeeded'));
    expect(payments.every((e) => e.data.status === 'paid')).toBe(true);
    expect(memberships).toHaveLength(PER_TYPE);
    const refunds = await receiver.readApi.allEvents('refund.created');
    expect(refunds.map((e) => e.type)).toEqual(Array(PER_TYPE).fill('refund.created'));
  });
});
