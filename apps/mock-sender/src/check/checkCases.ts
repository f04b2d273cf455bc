// The conformance cases `check()` runs, in order. Each builds one crafted delivery (a fresh event id
// unless it tests duplicates) and says what a correct Standard Webhooks receiver must do with it:
// accept (2xx) or reject (4xx).
import { createHmac, randomBytes } from 'node:crypto';
import { decodeSecrets, type SecretInput, sign } from '@webhook-contracts/webhooks';

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

const hmac = (key: Buffer, id: string, timestamp: string, body: string) =>
  `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;

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
    build: (ctx) => {
      const event = ctx.fresh();
      return {
        headers: headers(
          event.id,
          ctx.now,
          sign({ secret: anotherSecret(), id: event.id, timestamp: ctx.now, body: event.body }),
        ),
        body: event.body,
      };
    },
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
        headers: headers(
          event.id,
          timestamp,
          hmac(decodeSecrets(ctx.secrets)[0]!, event.id, timestamp, event.body),
        ),
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
      }).slice(3);
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
];

/** The names of the conformance cases, in order. */
export const checkCaseNames: readonly string[] = checkCases.map((c) => c.name);
