import { describe, expect, it } from 'vitest';
import { WebhookConfigError, WebhookVerificationError } from './errors.js';
import { signedDelivery } from './signedDelivery.js';
import { captureError } from './test-support/captureError.js';
import { canonical, clockAt, NOW, wsSecret } from './test-support/fixtures.js';
import { Webhook } from './Webhook.js';

const webhook = new Webhook(wsSecret, { now: clockAt(NOW) });
const delivery = signedDelivery({
  secret: wsSecret,
  payload: { hello: 'world' },
  id: 'msg_1',
  timestamp: NOW,
});

function verificationError(headers: Record<string, string>, body: string | Uint8Array = delivery.body) {
  const error = captureError(() => webhook.verify(headers, body));
  expect(error).toBeInstanceOf(WebhookVerificationError);
  const e = error as WebhookVerificationError;
  expect(e.status).toBe(401);
  return e;
}

const withSignature = (signature: string) => ({ ...delivery.headers, 'webhook-signature': signature });
const withTimestamp = (timestamp: string) => ({ ...delivery.headers, 'webhook-timestamp': timestamp });
const validEntry = delivery.headers['webhook-signature'];
const decoy = `v1,${Buffer.alloc(32, 7).toString('base64')}`;

describe('Webhook.verify', () => {
  it('returns the id, the timestamp and the exact body bytes of a correctly signed delivery', () => {
    const verified = webhook.verify(delivery.headers, delivery.body);
    expect(verified).toEqual({ id: 'msg_1', timestamp: NOW, body: Buffer.from('{"hello":"world"}') });
  });

  it('verifies the canonical Standard Webhooks vector', () => {
    const canonicalWebhook = new Webhook(canonical.secret, { now: clockAt(canonical.timestamp) });
    const verified = canonicalWebhook.verify(
      {
        'webhook-id': canonical.id,
        'webhook-timestamp': String(canonical.timestamp),
        'webhook-signature': canonical.signature,
      },
      canonical.body,
    );
    expect(verified.id).toBe(canonical.id);
  });

  it('accepts the body as a string, encoding it as UTF-8 once', () => {
    expect(webhook.verify(delivery.headers, '{"hello":"world"}').body.toString()).toBe('{"hello":"world"}');
  });

  it('accepts header names in any case', () => {
    const { 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': sig } = delivery.headers;
    expect(
      webhook.verify({ 'WEBHOOK-ID': id, 'Webhook-Timestamp': ts, 'webhook-SIGNATURE': sig }, delivery.body)
        .id,
    ).toBe('msg_1');
  });

  it('accepts a valid entry among decoys and entries of other versions', () => {
    const header = `v1a,${Buffer.alloc(64).toString('base64')} ${decoy} ${validEntry} v2,xyz`;
    expect(webhook.verify(withSignature(header), delivery.body).id).toBe('msg_1');
  });

  it('accepts entries joined with ", " as Node and fetch combine repeated header lines', () => {
    expect(webhook.verify(withSignature(`${decoy}, ${validEntry}`), delivery.body).id).toBe('msg_1');
  });

  it('verifies a fetch Request read with arrayBuffer(), using its Headers as they are', async () => {
    const request = new Request('http://localhost/webhooks', {
      method: 'POST',
      headers: { ...delivery.headers, 'content-type': 'application/json' },
      body: delivery.body,
    });
    const verified = webhook.verify(request.headers, new Uint8Array(await request.arrayBuffer()));
    expect(verified.body.equals(delivery.body)).toBe(true);
  });

  it('reads a timestamp with leading zeros as its number and signs its plain decimal form, like the reference', () => {
    const verified = webhook.verify(withTimestamp(`000${NOW}`), delivery.body);
    expect(verified.timestamp).toBe(NOW);
  });

  describe('missing_header', () => {
    it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const)(
      'is raised without %s',
      (name) => {
        const headers: Record<string, string> = { ...delivery.headers };
        delete headers[name];
        const error = verificationError(headers);
        expect(error.code).toBe('missing_header');
        expect(error.message).toContain(name);
      },
    );
  });

  describe('invalid_timestamp', () => {
    it.each([
      '1700000000abc',
      '',
      ' 1727606400',
      '-1',
      '1e9',
      '1727606400.5',
      '0x66f7ac00',
      '1'.repeat(16),
      '\u0661727606400',
      '172760640/',
    ])('is raised for the timestamp %j, which is not digits only', (timestamp) => {
      // An empty header counts as missing; every other value here is present but malformed.
      const error = verificationError(withTimestamp(timestamp));
      expect(error.code).toBe(timestamp === '' ? 'missing_header' : 'invalid_timestamp');
    });
  });

  describe('timestamp tolerance', () => {
    const at = (offset: number) => {
      const d = signedDelivery({ secret: wsSecret, payload: '{}', id: 'msg_t', timestamp: NOW + offset });
      return () => webhook.verify(d.headers, d.body);
    };

    it('accepts a timestamp exactly 300 s in the past or the future', () => {
      expect(at(-300)().timestamp).toBe(NOW - 300);
      expect(at(300)().timestamp).toBe(NOW + 300);
    });

    it('rejects a timestamp 301 s in the past as timestamp_too_old', () => {
      const error = captureError(at(-301)) as WebhookVerificationError;
      expect(error.code).toBe('timestamp_too_old');
      expect(error.message).toMatch(/is 301 s old, more than the 300 s allowed/);
    });

    it('rejects a timestamp 301 s in the future as timestamp_too_new', () => {
      const error = captureError(at(301)) as WebhookVerificationError;
      expect(error.code).toBe('timestamp_too_new');
      expect(error.message).toMatch(/is 301 s in the future/);
    });

    it('uses the configured tolerance', () => {
      const strict = new Webhook(wsSecret, { toleranceSeconds: 10, now: clockAt(NOW) });
      const late = signedDelivery({ secret: wsSecret, payload: '{}', timestamp: NOW - 11 });
      const onTime = signedDelivery({ secret: wsSecret, payload: '{}', timestamp: NOW - 10 });
      expect(strict.verify(onTime.headers, onTime.body).timestamp).toBe(NOW - 10);
      expect(
        (captureError(() => strict.verify(late.headers, late.body)) as WebhookVerificationError).code,
      ).toBe('timestamp_too_old');
    });

    it('checks the window before the signature, so a stale replay is reported as stale', () => {
      const stale = signedDelivery({ secret: 'ws_someone_else', payload: '{}', timestamp: NOW - 3600 });
      expect(
        (captureError(() => webhook.verify(stale.headers, stale.body)) as WebhookVerificationError).code,
      ).toBe('timestamp_too_old');
    });
  });

  describe('invalid_signature_header (no well-formed v1 entry at all)', () => {
    it.each([
      ['an empty v1 signature', 'v1,'],
      ['a truncated signature', validEntry.slice(0, 20)],
      ['a signature without its padding', validEntry.slice(0, -1)],
      ['no version', validEntry.slice(3)],
      ['only other versions', `v1a,${validEntry.slice(3)} v2,${validEntry.slice(3)}`],
      ['a version in upper case', `V1,${validEntry.slice(3)}`],
      ['whitespace only', '   '],
      ['a base64url character', `v1,-${validEntry.slice(4)}`],
      ['a Latin-1 letter', `v1,é${validEntry.slice(4)}`],
      ['a character beyond Latin-1', `v1,\u0100${validEntry.slice(4)}`],
      ['a base64 character where the padding goes', `${validEntry.slice(0, -1)}A`],
      ['padding in the middle', `${validEntry.slice(0, 10)}=${validEntry.slice(11)}`],
    ])('is raised for %s', (_what, header) => {
      const error = verificationError(withSignature(header));
      expect(error.code).toBe('invalid_signature_header');
      expect(error.message).toMatch(/^webhook-signature has no (well-formed )?v1 entry/);
    });
  });

  describe('no_matching_signature (well-formed entries, none of them ours)', () => {
    it('is raised for a list of decoys', () => {
      const other = signedDelivery({
        secret: 'ws_other',
        payload: '{"hello":"world"}',
        id: 'msg_1',
        timestamp: NOW,
      });
      const error = verificationError(withSignature(`${decoy} ${other.headers['webhook-signature']}`));
      expect(error.code).toBe('no_matching_signature');
      expect(error.message).toMatch(/\(2 tried against 1 secret\): check that the secret/);
    });

    it('is raised when the body was changed', () => {
      expect(verificationError(delivery.headers, '{"hello":"world!"}').code).toBe('no_matching_signature');
    });

    it('is raised when the id was changed', () => {
      expect(verificationError({ ...delivery.headers, 'webhook-id': 'msg_2' }).code).toBe(
        'no_matching_signature',
      );
    });

    it('is raised when the JSON body was re-serialised (a JSON parser ran before the webhook route)', () => {
      const pretty = JSON.stringify(JSON.parse(delivery.body.toString()), null, 2);
      expect(verificationError(delivery.headers, pretty).code).toBe('no_matching_signature');
    });

    it('is raised for a signature made with another secret', () => {
      const other = signedDelivery({
        secret: 'ws_other',
        payload: { hello: 'world' },
        id: 'msg_1',
        timestamp: NOW,
      });
      expect(verificationError(other.headers, other.body).code).toBe('no_matching_signature');
    });

    it('is raised for a signature of one character off', () => {
      const b64 = validEntry.slice(3);
      const flipped = `v1,${b64[0] === 'A' ? 'B' : 'A'}${b64.slice(1)}`;
      expect(verificationError(withSignature(flipped)).code).toBe('no_matching_signature');
    });
  });

  describe('bodies that are not valid UTF-8', () => {
    // 0xff and a lone continuation byte can never appear in UTF-8.
    const bytes = Buffer.from([0x7b, 0x22, 0x78, 0x22, 0x3a, 0x22, 0xff, 0x80, 0xc3, 0x22, 0x7d]);
    const signed = signedDelivery({ secret: wsSecret, payload: bytes, id: 'msg_bin', timestamp: NOW });

    it('verifies when signed over the same bytes', () => {
      expect(webhook.verify(signed.headers, bytes).body.equals(bytes)).toBe(true);
    });

    it('does not verify a re-encoded version of those bytes', () => {
      const reencoded = Buffer.from(bytes.toString('utf8'), 'utf8');
      expect(reencoded.equals(bytes)).toBe(false);
      expect(verificationError(signed.headers, reencoded).code).toBe('no_matching_signature');
    });
  });
});

describe('Webhook options', () => {
  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])(
    'rejects toleranceSeconds %s at construction',
    (tolerance) => {
      const error = captureError(() => new Webhook(wsSecret, { toleranceSeconds: tolerance }));
      expect(error).toBeInstanceOf(WebhookConfigError);
      expect((error as WebhookConfigError).code).toBe('invalid_options');
    },
  );

  it('reads the real clock by default', () => {
    const now = signedDelivery({ secret: wsSecret, payload: '{}' });
    expect(new Webhook(wsSecret).verify(now.headers, now.body).id).toBe(now.id);
  });
});

describe('verification edge cases and the messages they give', () => {
  const secret = canonical.secret;
  const webhook = new Webhook(secret, { now: clockAt(NOW) });
  const signed = signedDelivery({ secret, id: 'msg_edge', timestamp: NOW, payload: '{"a":1}' });
  const withSignature = (signature: string) => ({ ...signed.headers, 'webhook-signature': signature });
  const refusal = (headers: Record<string, string>) =>
    captureError(() => webhook.verify(headers, signed.body)) as WebhookVerificationError;

  it('accepts a v1 entry with a trailing comma, as duplicate header lines joined with ", " leave it', () => {
    const v1 = signed.headers['webhook-signature'];
    expect(webhook.verify(withSignature(`${v1},`), signed.body).id).toBe('msg_edge');
    expect(webhook.verify(withSignature(`v2,abc ${v1},`), signed.body).id).toBe('msg_edge');
  });

  it('refuses 44 characters that are not base64 as a malformed v1 entry, alone or in a list', () => {
    for (const header of [`v1,${'!'.repeat(44)}`, `v1,${'!'.repeat(44)} v2,abc`]) {
      const error = refusal(withSignature(header));
      expect(error.code).toBe('invalid_signature_header');
      expect(error.message).toBe(
        'webhook-signature has no well-formed v1 entry: each must be "v1," followed by the 44-character ' +
          `base64 HMAC-SHA256 (got "${header}").`,
      );
    }
  });

  it('tells a list without any v1 entry (other versions, no comma) from a malformed one', () => {
    const error = refusal(withSignature('v2,abc v1a'));
    expect(error.code).toBe('invalid_signature_header');
    expect(error.message).toBe(
      'webhook-signature has no v1 entry: expected a space-separated list like "v1,<base64>" (got "v2,abc v1a").',
    );
  });

  it('quotes a header of up to 120 characters whole and cuts a longer one at 120 with an ellipsis', () => {
    const exact = 'y'.repeat(120);
    expect(refusal(withSignature(exact)).message).toContain(`(got "${exact}").`);
    const long = 'x'.repeat(200);
    expect(refusal(withSignature(long)).message).toContain(`(got "${'x'.repeat(120)}…").`);
  });

  it('names the timestamp problem and what to check', () => {
    expect(refusal({ ...signed.headers, 'webhook-timestamp': 'abc' }).message).toBe(
      'webhook-timestamp must be whole Unix seconds (digits only), got "abc".',
    );
    const old = signedDelivery({ secret, id: 'msg_old', timestamp: NOW - 301, payload: '{}' });
    expect(captureError(() => webhook.verify(old.headers, old.body))).toMatchObject({
      code: 'timestamp_too_old',
      message:
        `webhook-timestamp ${NOW - 301} is 301 s old, more than the 300 s allowed: ` +
        'a replayed or long-delayed delivery (or a server clock that is off: check NTP).',
    });
    const early = signedDelivery({ secret, id: 'msg_new', timestamp: NOW + 302, payload: '{}' });
    expect(captureError(() => webhook.verify(early.headers, early.body))).toMatchObject({
      code: 'timestamp_too_new',
      message: `webhook-timestamp ${NOW + 302} is 302 s in the future, more than the 300 s allowed: check the server clock (NTP).`,
    });
  });

  it('takes a tolerance of 0 and refuses a negative one or a clock that is not a function, saying why', () => {
    const strict = new Webhook(secret, { toleranceSeconds: 0, now: clockAt(NOW) });
    expect(strict.verify(signed.headers, signed.body).id).toBe('msg_edge');
    expect(captureError(() => new Webhook(secret, { toleranceSeconds: -1 }))).toMatchObject({
      code: 'invalid_options',
      message:
        'toleranceSeconds must be a finite number of seconds >= 0, got -1: leave it out for the default of 300.',
    });
    const clock = captureError(() => new Webhook(secret, { now: 5 as unknown as () => number }));
    expect(clock).toBeInstanceOf(WebhookConfigError);
    expect(clock).toMatchObject({
      code: 'invalid_options',
      message: 'now must be a function returning milliseconds since the epoch (like Date.now).',
    });
  });
});
