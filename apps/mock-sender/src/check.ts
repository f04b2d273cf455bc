// `check()`: a conformance run against any receiver endpoint. Each case sends one crafted delivery
// (fresh event id unless it tests duplicates) and compares the answer's class with what a correct
// Standard Webhooks receiver must do: accept (2xx) or reject (4xx). A 5xx never passes.
import { createHmac, randomBytes } from 'node:crypto';
import { decodeSecret, type SecretInput, sign } from '@webhook-contracts/webhooks';
import { createHttpClient } from './delivery/httpClient.js';
import { SenderConfigError } from './errors.js';
import { generateEvents } from './fixtures/generator.js';
import { Random, randomSeed } from './fixtures/random.js';
import { userAgent } from './version.js';

export interface CheckOptions {
  to: string | URL;
  secret: SecretInput | readonly SecretInput[];
  /** Per-request timeout in ms (default 10 000). */
  timeoutMs?: number;
  /** Seed for the events and ids used (default random). */
  seed?: string | number;
  /** The clock (ms), injectable for tests. */
  now?: () => number;
}

export type Expectation = 'accept' | 'reject';

export interface CheckResult {
  case: string;
  expected: Expectation;
  /** The HTTP status, or 'timeout' / 'connection_error'. */
  got: number | 'timeout' | 'connection_error';
  pass: boolean;
  /** The start of the response body, to show why a case failed. */
  body?: string;
}

export interface CheckReport {
  to: string;
  passed: boolean;
  results: CheckResult[];
}

interface Delivery {
  headers: Record<string, string>;
  body: string;
}

interface Context {
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

function signed(ctx: Context, event: { id: string; body: string }, timestamp = ctx.now): Delivery {
  return {
    headers: headers(
      event.id,
      timestamp,
      sign({ secret: ctx.secrets, id: event.id, timestamp, body: event.body }),
    ),
    body: event.body,
  };
}

function without(delivery: Delivery, name: string): Delivery {
  const { [name]: _dropped, ...rest } = delivery.headers;
  return { headers: rest, body: delivery.body };
}

const anotherSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const randomSignature = () => randomBytes(32).toString('base64');

/** The conformance cases, in the order they run (the duplicate case must follow the first). */
const cases: ReadonlyArray<{ name: string; expected: Expectation; build: (ctx: Context) => Delivery }> = [
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
          hmac(decodeSecret(ctx.secrets[0]!), event.id, timestamp, event.body),
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
    name: 'a signed event of a type the contract does not know is accepted',
    expected: 'accept',
    build: (ctx) => {
      const id = ctx.fresh().id;
      const body = JSON.stringify({
        id,
        api_version: 'v1',
        timestamp: new Date(ctx.now * 1000).toISOString(),
        // Not in the catalog (@whop/sdk 0.0.42): a type the sender may add later.
        type: 'payout.created',
        data: { id: 'po_mockSenderCheck1', status: 'in_transit', total: 10, currency: 'usd' },
        company_id: 'biz_mockSenderCheck1',
      });
      return signed(ctx, { id, body });
    },
  },
];

/** The names of the conformance cases, in order. */
export const checkCaseNames: readonly string[] = cases.map((c) => c.name);

function classify(expected: Expectation, got: CheckResult['got']): boolean {
  if (typeof got !== 'number') return false;
  return expected === 'accept' ? got >= 200 && got < 300 : got >= 400 && got < 500;
}

/**
 * Runs the conformance cases against a receiver endpoint, one request at a time.
 *
 * @throws {SenderConfigError} for an unusable URL.
 * @example
 * const report = await check({ to: 'http://localhost:3000/webhooks', secret: process.env.WEBHOOK_SECRET! });
 * console.log(report.passed, report.results.filter((r) => !r.pass).map((r) => r.case));
 */
export async function check(options: CheckOptions): Promise<CheckReport> {
  let url: URL;
  try {
    url = new URL(options.to);
  } catch (cause) {
    throw new SenderConfigError(
      'invalid_option',
      `--to "${String(options.to)}" is not a URL: pass e.g. http://localhost:3000/webhooks`,
      undefined,
      { cause },
    );
  }
  const secrets: SecretInput[] = Array.isArray(options.secret)
    ? [...(options.secret as SecretInput[])]
    : [options.secret as SecretInput];
  if (secrets.length === 0)
    throw new SenderConfigError('missing_secret', 'check needs at least one endpoint secret');
  // Decode up front: a malformed secret is a config error, not 14 failing cases.
  for (const secret of secrets) decodeSecret(secret);
  const seed = String(options.seed ?? randomSeed());
  const events = generateEvents({ seed });
  const ids = new Random(`${seed}:check-ids`);
  const fresh = () => {
    const event = { ...events.next().value!, id: `msg_${ids.base62(24)}` };
    return { id: event.id, body: JSON.stringify(event) };
  };
  const first = fresh();
  const client = createHttpClient({ concurrency: 1 });
  const results: CheckResult[] = [];
  try {
    for (const testCase of cases) {
      const ctx: Context = { secrets, now: Math.floor((options.now ?? Date.now)() / 1000), fresh, first };
      const delivery = testCase.build(ctx);
      const outcome = await client.post({
        url,
        headers: { 'content-type': 'application/json', 'user-agent': userAgent, ...delivery.headers },
        body: Buffer.from(delivery.body),
        timeoutMs: options.timeoutMs ?? 10_000,
      });
      const got = outcome.kind === 'response' ? outcome.status : outcome.kind;
      const pass = classify(testCase.expected, got);
      results.push({
        case: testCase.name,
        expected: testCase.expected,
        got,
        pass,
        ...(outcome.kind === 'response' && !pass && outcome.body !== ''
          ? { body: outcome.body.slice(0, 200) }
          : {}),
      });
    }
  } finally {
    client.close();
  }
  return { to: url.href, passed: results.every((r) => r.pass), results };
}

/** The check results as a text table: case, expected, got, pass/FAIL. */
export function formatCheckTable(report: CheckReport): string {
  const rows = report.results.map((r) => [
    r.case,
    r.expected === 'accept' ? '2xx' : '4xx',
    String(r.got),
    r.pass ? 'pass' : 'FAIL',
  ]);
  const header = ['case', 'expected', 'got', 'result'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const failed = report.results.filter((r) => !r.pass).length;
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    failed === 0
      ? `all ${report.results.length} cases passed against ${report.to}`
      : `${failed} of ${report.results.length} cases FAILED against ${report.to}`,
  ].join('\n');
}
