// Agreement with `standardwebhooks`, the reference JS library, by property: whatever one signs the
// other verifies, for whsec_ secrets, for the same base64 without the prefix, and for Whop ws_
// secrets given to the reference as btoa(ws_…).
// The reference re-decodes Buffers as UTF-8, so bodies here are valid UTF-8; byte-exactness for
// other bytes is tested in verify.test.ts.
import fc from 'fast-check';
import { Webhook as ReferenceWebhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { canonical } from './test-support/fixtures.js';
import { Webhook } from './Webhook.js';

// The spec's secrets: 24 to 64 random bytes, base64-encoded (padded), with or without `whsec_`.
const bareSecret = fc
  .uint8Array({ minLength: 24, maxLength: 64 })
  .map((bytes) => Buffer.from(bytes).toString('base64'));
const whsecSecret = bareSecret.map((base64) => `whsec_${base64}`);
const wsSecret = fc
  .uint8Array({ minLength: 16, maxLength: 32 })
  .map((bytes) => `ws_${Buffer.from(bytes).toString('hex')}`);
const messageId = fc.stringMatching(/^msg_[A-Za-z0-9]{1,32}$/);
const timestamp = fc.integer({ min: 0, max: 4_102_444_800 });
// Any Unicode text, astral planes and lone surrogates included (both sides encode those as U+FFFD).
const body = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.json());

function headersFor(id: string, ts: number, signature: string) {
  return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signature };
}

/** The reference library reads the real clock; pin it to the delivery's timestamp. */
function atTime<T>(ts: number, fn: () => T): T {
  vi.setSystemTime(ts * 1000);
  return fn();
}

describe('agreement with the standardwebhooks reference library', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('signs the canonical vector identically', () => {
    const ref = new ReferenceWebhook(canonical.secret);
    const ours = new Webhook(canonical.secret);
    expect(ref.sign(canonical.id, new Date(canonical.timestamp * 1000), canonical.body)).toBe(
      canonical.signature,
    );
    expect(ours.sign(canonical.id, canonical.timestamp, canonical.body)).toBe(canonical.signature);
  });

  it('produces the same signature as the reference for whsec_ secrets', () => {
    fc.assert(
      fc.property(whsecSecret, messageId, timestamp, body, (secret, id, ts, payload) => {
        const ref = new ReferenceWebhook(secret).sign(id, new Date(ts * 1000), payload);
        expect(new Webhook(secret).sign(id, ts, payload)).toBe(ref);
      }),
    );
  });

  it('verifies what the reference signs, given the body as a string or as its bytes', () => {
    fc.assert(
      fc.property(whsecSecret, messageId, timestamp, body, (secret, id, ts, payload) => {
        const signature = new ReferenceWebhook(secret).sign(id, new Date(ts * 1000), payload);
        const ours = new Webhook(secret, { now: () => ts * 1000 });
        expect(ours.verify(headersFor(id, ts, signature), payload).id).toBe(id);
        const bytes = Buffer.from(payload, 'utf8');
        expect(ours.verify(headersFor(id, ts, signature), bytes).body.equals(bytes)).toBe(true);
      }),
    );
  });

  it('signs what the reference verifies', () => {
    fc.assert(
      fc.property(whsecSecret, messageId, timestamp, body, (secret, id, ts, payload) => {
        const signature = new Webhook(secret).sign(id, ts, payload);
        const ref = new ReferenceWebhook(secret);
        expect(() =>
          atTime(ts, () => ref.verify(payload, headersFor(id, ts, signature), { jsonParse: false })),
        ).not.toThrow();
        expect(() =>
          atTime(ts, () =>
            ref.verify(Buffer.from(payload), headersFor(id, ts, signature), { jsonParse: false }),
          ),
        ).not.toThrow();
      }),
    );
  });

  it('agrees on bare base64 secrets in both directions: each verifies what the other signs', () => {
    fc.assert(
      fc.property(bareSecret, messageId, timestamp, body, (secret, id, ts, payload) => {
        const ref = new ReferenceWebhook(secret);
        const ours = new Webhook(secret, { now: () => ts * 1000 });
        const refSignature = ref.sign(id, new Date(ts * 1000), payload);
        expect(ours.sign(id, ts, payload)).toBe(refSignature);
        expect(ours.verify(headersFor(id, ts, refSignature), payload).id).toBe(id);
        const ourSignature = ours.sign(id, ts, payload);
        expect(() =>
          atTime(ts, () => ref.verify(payload, headersFor(id, ts, ourSignature), { jsonParse: false })),
        ).not.toThrow();
      }),
    );
  });

  it('treats a bare base64 secret and its whsec_ form as one key, on both sides', () => {
    fc.assert(
      fc.property(bareSecret, messageId, timestamp, body, (secret, id, ts, payload) => {
        const signature = new Webhook(`whsec_${secret}`).sign(id, ts, payload);
        expect(new Webhook(secret).sign(id, ts, payload)).toBe(signature);
        expect(new ReferenceWebhook(secret).sign(id, new Date(ts * 1000), payload)).toBe(signature);
      }),
      { numRuns: 50 },
    );
  });

  it('agrees for Whop ws_ secrets when the reference is given btoa(ws_…) as the docs instruct', () => {
    fc.assert(
      fc.property(wsSecret, messageId, timestamp, body, (secret, id, ts, payload) => {
        const ref = new ReferenceWebhook(Buffer.from(secret).toString('base64'));
        const ours = new Webhook(secret, { now: () => ts * 1000 });
        const refSignature = ref.sign(id, new Date(ts * 1000), payload);
        expect(ours.sign(id, ts, payload)).toBe(refSignature);
        expect(ours.verify(headersFor(id, ts, refSignature), payload).timestamp).toBe(ts);
        const ourSignature = ours.sign(id, ts, payload);
        expect(() =>
          atTime(ts, () => ref.verify(payload, headersFor(id, ts, ourSignature), { jsonParse: false })),
        ).not.toThrow();
      }),
    );
  });

  it('signs for several secrets so that a reference holding any one of them verifies', () => {
    fc.assert(
      fc.property(
        fc.array(whsecSecret, { minLength: 2, maxLength: 4 }),
        messageId,
        timestamp,
        body,
        (secrets, id, ts, payload) => {
          const signature = new Webhook(secrets).sign(id, ts, payload);
          for (const secret of secrets) {
            const ref = new ReferenceWebhook(secret);
            expect(() =>
              atTime(ts, () => ref.verify(payload, headersFor(id, ts, signature), { jsonParse: false })),
            ).not.toThrow();
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('rejects, unlike the lenient reference, a timestamp with trailing letters', () => {
    const ts = 1_700_000_000;
    const signature = new Webhook(canonical.secret).sign('msg_1', ts, '{}');
    const headers = headersFor('msg_1', ts, signature);
    headers['webhook-timestamp'] = `${ts}abc`;
    expect(() =>
      atTime(ts, () => new ReferenceWebhook(canonical.secret).verify('{}', headers, { jsonParse: false })),
    ).not.toThrow();
    expect(() => new Webhook(canonical.secret, { now: () => ts * 1000 }).verify(headers, '{}')).toThrowError(
      expect.objectContaining({ code: 'invalid_timestamp' }),
    );
  });
});
