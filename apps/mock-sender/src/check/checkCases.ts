// The conformance cases `check()` runs, in order. Each builds one crafted delivery (a fresh event id
// unless it tests duplicates) and says what a correct Standard Webhooks receiver must do with it:
// accept (2xx) or reject (4xx).
import { createHmac, sign as ed25519Sign, randomBytes } from 'node:crypto';
import {
  decodeKeys,
  decodeSigningKey,
  generateKeyPair,
  type SecretInput,
  sign,
} from '@webhook-contracts/webhooks';

export type Expectation = 'accept' | 'reject';

/** One crafted request: the headers to send and the body's exact text. */
export interface CaseDelivery {
  headers: Record<string, string>;
  body: string;
}

/** What a case builds its delivery from. */
export interface CaseContext {
  secrets: SecretInput[];
  now: number;
  /** A fresh valid event body with a new id. */
  fresh(): { id: string; body: string };
  /** The body of the first (accepted) case, reused by the duplicate case. */
  first: { id: string; body: string };
}

/** A signature entry over any timestamp text (sign() takes only integers), with the first key given. */
function entryOverRaw(ctx: CaseContext, id: string, timestamp: string, body: string): string {
  const content = `${id}.${timestamp}.${body}`;
  const keys = decodeKeys(ctx.secrets[0]!, 'sign');
  const key = keys.hmac[0];
  if (key !== undefined) return `v1,${createHmac('sha256', key).update(content).digest('base64')}`;
  return `v1a,${ed25519Sign(null, Buffer.from(content), keys.signers[0]!).toString('base64')}`;
}

/** The whsk_ signing keys among the secrets: the v1a cases run only when there is one. */
const signingKeys = (ctx: CaseContext) =>
  ctx.secrets.filter((s): s is string => typeof s === 'string' && s.startsWith('whsk_'));

const headers = (id: string, timestamp: number | string, signature: string) => ({
  'webhook-id': id,
  'webhook-timestamp': String(timestamp),
  'webhook-signature': signature,
});

function signed(ctx: CaseContext, event: { id: string; body: string }, timestamp = ctx.now): CaseDelivery {
  return {
    headers: headers(
      event.id,
      timestamp,
      sign({ secret: ctx.secrets, id: event.id, timestamp, body: event.body }),
    ),
    body: event.body,
  };
}

/** A fresh event signed with `secret` (not the receiver's): a case a correct receiver rejects. */
function signedWithOther(ctx: CaseContext, secret: string): CaseDelivery {
  const event = ctx.fresh();
  return {
    headers: headers(event.id, ctx.now, sign({ secret, id: event.id, timestamp: ctx.now, body: event.body })),
    body: event.body,
  };
}

function without(delivery: CaseDelivery, name: string): CaseDelivery {
  const { [name]: _dropped, ...rest } = delivery.headers;
  return { headers: rest, body: delivery.body };
}

const anotherSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const randomSignature = () => randomBytes(32).toString('base64');

/** One conformance case: what a correct receiver must do with the delivery it builds. */
export interface CheckCase {
  name: string;
  expected: Expectation;
  /** The body's bytes change under JSON.parse + JSON.stringify: only a raw-bytes verifier accepts it. */
  rawBytes?: true;
  /** Runs only when the secrets hold a whsk_ signing key (the receiver then trusts its whpk_ key). */
  v1a?: true;
  build: (ctx: CaseContext) => CaseDelivery;
}

/** Rewrites an event's body in a way that keeps its meaning but not its bytes. */
function reformatted(
  event: { id: string; body: string },
  write: (parsed: Record<string, unknown>) => string,
): { id: string; body: string } {
  return { id: event.id, body: write(JSON.parse(event.body) as Record<string, unknown>) };
}

/** Writes every lowercase letter inside JSON strings as a `\u` escape (escape sequences kept). */
const escapeLetters = (json: string) =>
  json.replace(/"(?:[^"\\]|\\.)*"/g, (string) =>
    string.replace(/\\(?:u[0-9a-fA-F]{4}|.)|[a-z]/g, (m) =>
      m.length > 1 ? m : `\\u${m.charCodeAt(0).toString(16).padStart(4, '0')}`,
    ),
  );

/** The conformance cases, in the order they run (the duplicate case must follow the first). */
export const checkCases: readonly CheckCase[] = [
  { name: 'a valid signed event is accepted', expected: 'accept', build: (ctx) => signed(ctx, ctx.first) },
  {
    name: 'the same webhook-id again (a retry) is accepted',
    expected: 'accept',
    build: (ctx) => signed(ctx, ctx.first),
  },
  {
    name: 'a signature made with another secret is rejected',
    expected: 'reject',
    build: (ctx) => signedWithOther(ctx, anotherSecret()),
  },
  {
    name: 'a tampered body is rejected',
    expected: 'reject',
    build: (ctx) => {
      const delivery = signed(ctx, ctx.fresh());
      return {
        headers: delivery.headers,
        body: delivery.body.replace('"completed":true', '"completed":false'),
      };
    },
  },
  {
    name: 'a stale timestamp (now-600) is rejected',
    expected: 'reject',
    build: (ctx) => signed(ctx, ctx.fresh(), ctx.now - 600),
  },
  {
    name: 'a future timestamp (now+600) is rejected',
    expected: 'reject',
    build: (ctx) => signed(ctx, ctx.fresh(), ctx.now + 600),
  },
  {
    name: 'a non-numeric timestamp is rejected',
    expected: 'reject',
    build: (ctx) => {
      const event = ctx.fresh();
      // Signed correctly over the odd value, so only the timestamp check can reject it.
      const timestamp = 'not-a-timestamp';
      return {
        headers: headers(event.id, timestamp, entryOverRaw(ctx, event.id, timestamp, event.body)),
        body: event.body,
      };
    },
  },
  {
    name: 'a missing webhook-id header is rejected',
    expected: 'reject',
    build: (ctx) => without(signed(ctx, ctx.fresh()), 'webhook-id'),
  },
  {
    name: 'a missing webhook-timestamp header is rejected',
    expected: 'reject',
    build: (ctx) => without(signed(ctx, ctx.fresh()), 'webhook-timestamp'),
  },
  {
    name: 'a missing webhook-signature header is rejected',
    expected: 'reject',
    build: (ctx) => without(signed(ctx, ctx.fresh()), 'webhook-signature'),
  },
  {
    name: 'an empty "v1," signature is rejected',
    expected: 'reject',
    build: (ctx) => {
      const event = ctx.fresh();
      return { headers: headers(event.id, ctx.now, 'v1,'), body: event.body };
    },
  },
  {
    name: 'a list of only wrong v1 entries and a v2 entry is rejected',
    expected: 'reject',
    build: (ctx) => {
      const event = ctx.fresh();
      // The v2 entry carries the right HMAC: a receiver that ignores the version would accept it.
      const right = sign({
        secret: ctx.secrets[0]!,
        id: event.id,
        timestamp: ctx.now,
        body: event.body,
      }).replace(/^v1a?,/, '');
      const decoys = `v1,${randomSignature()} v1,${randomSignature()} v2,${right}`;
      return { headers: headers(event.id, ctx.now, decoys), body: event.body };
    },
  },
  {
    name: 'a list with one valid signature among decoys is accepted',
    expected: 'accept',
    build: (ctx) => {
      const event = ctx.fresh();
      const right = sign({ secret: ctx.secrets[0]!, id: event.id, timestamp: ctx.now, body: event.body });
      const list = `v1,${randomSignature()} v2,${randomSignature()} ${right} v1,${randomSignature()}`;
      return { headers: headers(event.id, ctx.now, list), body: event.body };
    },
  },
  {
    name: 'a valid event sent pretty-printed with a trailing newline is accepted',
    expected: 'accept',
    rawBytes: true,
    build: (ctx) =>
      signed(
        ctx,
        reformatted(ctx.fresh(), (event) => `${JSON.stringify(event, null, 2)}\n`),
      ),
  },
  {
    name: 'a valid event written with \\u escapes and a reordered key is accepted',
    expected: 'accept',
    rawBytes: true,
    build: (ctx) =>
      signed(
        ctx,
        // JSON.stringify writes these characters plainly and puts an integer-like key first, so a
        // receiver that re-serialises a parsed body computes the HMAC over different bytes.
        reformatted(ctx.fresh(), (event) => {
          const { id, ...rest } = event;
          return escapeLetters(JSON.stringify({ ...rest, id, '0': 'check' }));
        }),
      ),
  },
  {
    name: 'a signed event of a type the contract does not know is accepted',
    expected: 'accept',
    build: (ctx) => {
      const id = ctx.fresh().id;
      const body = JSON.stringify({
        id,
        api_version: 'v1',
        timestamp: new Date(ctx.now * 1000).toISOString(),
        // Not in any published catalog: a receiver must keep what it cannot interpret yet.
        type: 'mock_sender_check.unknown_type',
        data: { id: 'chk_mockSenderCheck1', note: 'a type no contract knows' },
        company_id: 'biz_mockSenderCheck1',
      });
      return signed(ctx, { id, body });
    },
  },
  {
    name: 'a v1a signature made with another ed25519 key is rejected',
    expected: 'reject',
    v1a: true,
    build: (ctx) => signedWithOther(ctx, generateKeyPair().signingKey),
  },
  {
    name: 'a v1a-signed event with a tampered body is rejected',
    expected: 'reject',
    v1a: true,
    build: (ctx) => {
      const event = ctx.fresh();
      const signature = sign({
        secret: signingKeys(ctx),
        id: event.id,
        timestamp: ctx.now,
        body: event.body,
      });
      return {
        headers: headers(event.id, ctx.now, signature),
        body: event.body.replace('"completed":true', '"completed":false'),
      };
    },
  },
  {
    name: 'a v1 HMAC keyed with the public key is rejected',
    expected: 'reject',
    v1a: true,
    build: (ctx) => {
      // Anyone can read a whpk_ key: a receiver that takes it as an HMAC secret accepts forgeries.
      const { publicKey } = decodeSigningKey(signingKeys(ctx)[0]!);
      const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
      return signedWithOther(ctx, `whsec_${raw.toString('base64')}`);
    },
  },
  {
    name: 'a valid v1a entry beside a wrong v1 entry is accepted',
    expected: 'accept',
    v1a: true,
    build: (ctx) => {
      const event = ctx.fresh();
      const right = sign({
        secret: signingKeys(ctx)[0]!,
        id: event.id,
        timestamp: ctx.now,
        body: event.body,
      });
      return { headers: headers(event.id, ctx.now, `v1,${randomSignature()} ${right}`), body: event.body };
    },
  },
];

/** The names of the conformance cases every check runs, in order. */
export const checkCaseNames: readonly string[] = checkCases.filter((c) => c.v1a !== true).map((c) => c.name);

/** The names of the cases a check adds, after those, when its secrets hold a whsk_ signing key. */
export const v1aCheckCaseNames: readonly string[] = checkCases
  .filter((c) => c.v1a === true)
  .map((c) => c.name);
