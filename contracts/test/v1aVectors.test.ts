// The v1a part of contracts/vectors/standard-webhooks.json through packages/webhooks: every key is
// read or refused as the file says, every delivery signs and verifies to its verdict. The reference
// `standardwebhooks` library verifies no v1a entry at all: asserted, so the day it does shows here.
import { readFileSync } from 'node:fs';
import {
  decodeKeys,
  decodePublicKey,
  decodeSigningKey,
  sign,
  WebhookConfigError,
} from '@webhook-contracts/webhooks';
import { Webhook as ReferenceWebhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { V1aDeliveryVector } from '../scripts/v1aVectors.js';
import { VECTORS_PATH, type VectorFile } from '../scripts/vectors.js';
import { expectVerdict, thrown } from './support/vectorVerdict.js';

const file = JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as VectorFile;
const { keys, deliveries } = file.v1a;
const body = (d: V1aDeliveryVector) => Buffer.from(d.body_base64, 'base64');
const accepted = keys.filter((k) => k.public_key_hex !== undefined);
const refused = keys.filter((k) => k.error !== undefined);
const rawPublic = (key: ReturnType<typeof decodePublicKey>) =>
  Buffer.from(key.export({ format: 'jwk' }).x ?? '', 'base64url').toString('hex');

describe('the v1a vectors', () => {
  it('cover both whsk_ layouts, whpk_, malformed keys of each kind and every verdict a v1a receiver gives', () => {
    expect(accepted.map((k) => k.key.slice(0, 5))).toEqual(['whsk_', 'whsk_', 'whpk_']);
    expect(refused.filter((k) => k.key.startsWith('whsk_')).length).toBeGreaterThanOrEqual(5);
    expect(refused.filter((k) => k.key.startsWith('whpk_')).length).toBeGreaterThanOrEqual(5);
    expect(new Set(deliveries.map((d) => d.verdict))).toEqual(
      new Set(['valid', 'no_matching_signature', 'invalid_signature_header', 'timestamp_too_old']),
    );
    expect(deliveries.some((d) => /^v1,\S+ v1a,/.test(d.headers['webhook-signature'] ?? ''))).toBe(true);
  });
});

describe('the v1a vectors through packages/webhooks', () => {
  it.each(accepted)('reads $name as its public key', ({ key, use, public_key_hex }) => {
    const publicKey = use === 'sign' ? decodeSigningKey(key).publicKey : decodePublicKey(key);
    expect(rawPublic(publicKey)).toBe(public_key_hex);
  });

  it.each(refused)('refuses $name', ({ key, use }) => {
    const caught = thrown(() => decodeKeys(key, use));
    expect(caught).toBeInstanceOf(WebhookConfigError);
    expect((caught as WebhookConfigError).code).toBe('invalid_secret');
  });

  it.each(deliveries)('signs "$name" as the vector says', (d) => {
    expect(sign({ secret: d.signing_key, id: d.id, timestamp: d.timestamp, body: body(d) })).toBe(
      d.signature,
    );
  });

  it.each(deliveries)('verifies "$name" to its verdict', (d) => {
    expectVerdict(d.trusted, d, body(d), file.tolerance_seconds);
  });
});

describe('the standardwebhooks reference library and v1a', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('refuses a valid v1a-only delivery (it verifies v1 entries only), whatever secret it holds', () => {
    const d = deliveries.find(
      (x) => x.verdict === 'valid' && !x.headers['webhook-signature']?.includes(' '),
    )!;
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(d.now * 1000);
    // It takes no whpk_ key: given the public key's base64 as a secret, it HMACs with it and finds no v1 entry.
    const reference = new ReferenceWebhook(d.trusted[0]!.slice('whpk_'.length));
    expect(thrown(() => reference.verify(body(d), d.headers, { jsonParse: false }))).toBeInstanceOf(Error);
  });
});
