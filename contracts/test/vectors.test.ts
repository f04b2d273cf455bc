// The language-neutral vector file (contracts/vectors/standard-webhooks.json): it must be what its
// generator writes, every vector must hold for packages/webhooks, and every vector in a form the
// `standardwebhooks` reference library accepts must hold for it too (with its two known
// differences asserted, so they cannot silently change).
import { readFileSync } from 'node:fs';
import { decodeSecret, sign, WebhookConfigError } from '@webhook-contracts/webhooks';
import { Webhook as ReferenceWebhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { serialise } from '../scripts/artefacts.js';
import { type DeliveryVector, VECTORS_PATH, type VectorFile, vectorFile } from '../scripts/vectors.js';
import { expectVerdict, thrown } from './support/vectorVerdict.js';

const committed = readFileSync(VECTORS_PATH, 'utf8');
const file = JSON.parse(committed) as VectorFile;
const body = (d: DeliveryVector) => Buffer.from(d.body_base64, 'base64');
const accepted = file.secrets.filter((s) => s.key_hex !== undefined);
const refused = file.secrets.filter((s) => s.error !== undefined);

/** Where the JS reference library knowingly departs from the file, and why. */
const referenceDiffers: Record<string, 'signs other bytes' | 'accepts'> = {
  // It re-decodes a Buffer body as UTF-8 before signing: invalid bytes become U+FFFD.
  'invalid UTF-8 in the body, signed as raw bytes': 'signs other bytes',
  // It reads webhook-timestamp with parseInt, which stops at the first letter.
  'timestamp with trailing letters': 'accepts',
};

/** The reference set up the way each sender documents it: Whop's ws_ secret as btoa(ws_…). */
function reference(secret: string): ReferenceWebhook {
  return new ReferenceWebhook(secret.startsWith('ws_') ? btoa(secret) : secret);
}

describe('contracts/vectors/standard-webhooks.json', () => {
  it('is exactly what contracts/scripts/vectors.ts generates', () => {
    expect(committed, 'the vector file is stale: run `npm run vectors` and commit the result').toBe(
      serialise(vectorFile() as unknown as Parameters<typeof serialise>[0]),
    );
  });

  it('covers the spec canonical vector, every accepted form and every verdict', () => {
    expect(file.deliveries[0]).toMatchObject({
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: 1614265330,
      body_base64: Buffer.from('{"test": 2432232314}').toString('base64'),
      signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
      verdict: 'valid',
    });
    expect(new Set(file.deliveries.map((d) => d.verdict))).toEqual(
      new Set([
        'valid',
        'missing_header',
        'invalid_timestamp',
        'timestamp_too_old',
        'timestamp_too_new',
        'invalid_signature_header',
        'no_matching_signature',
      ]),
    );
    expect(accepted.length).toBe(7);
    expect(refused.length).toBe(15);
  });
});

describe('the vectors through packages/webhooks', () => {
  it.each(accepted)('decodes $name to its key', ({ secret, key_hex }) => {
    expect(decodeSecret(secret).toString('hex')).toBe(key_hex);
  });

  it.each(refused)('refuses $name with its error code', ({ secret, error }) => {
    const caught = thrown(() => decodeSecret(secret));
    expect(caught).toBeInstanceOf(WebhookConfigError);
    expect((caught as WebhookConfigError).code).toBe(error);
  });

  it.each(file.deliveries)('signs $name as the vector says', (d) => {
    expect(sign({ secret: d.secret, id: d.id, timestamp: d.timestamp, body: body(d) })).toBe(d.signature);
  });

  it.each(file.deliveries)('verifies $name to its verdict', (d) => {
    expectVerdict(d.secret, d, body(d), file.tolerance_seconds);
  });
});

describe('the vectors through the standardwebhooks reference library', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each(accepted)('uses the same key for $name', ({ secret, key_hex }) => {
    const probe = { id: 'msg_probe', at: new Date(1_700_000_000_000), body: '{"probe":true}' };
    const expected = sign({
      secret: Buffer.from(key_hex!, 'hex'),
      id: probe.id,
      timestamp: 1_700_000_000,
      body: probe.body,
    });
    expect(reference(secret).sign(probe.id, probe.at, probe.body)).toBe(expected);
  });

  it.each(file.deliveries)('signs and verifies $name as the vector says', (d) => {
    const ref = reference(d.secret);
    const signature = ref.sign(d.id, new Date(d.timestamp * 1000), body(d));
    const differs = referenceDiffers[d.name];
    if (differs === 'signs other bytes') expect(signature).not.toBe(d.signature);
    else expect(signature).toBe(d.signature);

    vi.setSystemTime(d.now * 1000);
    const caught = thrown(() => ref.verify(body(d), d.headers, { jsonParse: false }));
    const valid = differs === 'accepts' || (d.verdict === 'valid' && differs === undefined);
    if (valid) expect(caught).toBeUndefined();
    else expect(caught).toBeInstanceOf(Error);
  });
});
