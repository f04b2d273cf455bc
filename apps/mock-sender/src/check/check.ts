// `check()`: a conformance run against any receiver endpoint. Each case sends one crafted delivery
// (fresh event id unless it tests duplicates) and compares the answer's class with what a correct
// Standard Webhooks receiver must do: accept (2xx) or reject (4xx). A 5xx never passes.
import { createHmac, randomBytes } from 'node:crypto';
import { decodeSecrets, type SecretInput, sign } from '@webhook-contracts/webhooks';
import { SenderConfigError } from '../errors.js';
import { generateEvents } from '../generators/generator.js';
import { Random, randomSeed } from '../generators/random.js';
import { type OptionName, type OptionNaming, optionName } from '../options/optionNames.js';
import { optionValidators } from '../options/requestProblems.js';
import type { CheckRequest } from '../options/SendRequest.js';
import { failureReason } from '../sending/transport/failureReason.js';
import { createHttpClient } from '../sending/transport/httpClient.js';
import { targetUrl } from '../targetUrl.js';
import { userAgent } from '../version.js';

/** check()'s options: the check request's fields (documented in `CheckRequest`) plus hooks. */
export interface CheckOptions extends Pick<CheckRequest, 'timeoutMs' | 'seed'> {
  to: string | URL;
  secret: SecretInput | readonly SecretInput[];
  /** The clock (ms), injectable for tests. */
  now?: () => number;
  /** How error messages name options: CLI flags (default) or serve's JSON fields. */
  optionNaming?: OptionNaming;
  /** Stops the run when aborted: the request in flight is cut off and no further case runs. */
  signal?: AbortSignal;
}

export type Expectation = 'accept' | 'reject';

/**
 * `inconclusive`: the answer cannot tell whether the receiver did the right thing (a reject case
 * answered 404 says the path is wrong, not that the delivery was judged). It does not pass.
 */
export type Verdict = 'pass' | 'fail' | 'inconclusive';

export interface CheckResult {
  case: string;
  expected: Expectation;
  /** The HTTP status, or 'timeout' / 'connection_error'. */
  got: number | 'timeout' | 'connection_error';
  pass: boolean;
  verdict: Verdict;
  /** Why a case did not pass, in one line: the receiver's error code, a body excerpt, or the transport error. */
  reason?: string;
  /** The start of the response body, to show why a case failed. */
  body?: string;
}

export interface CheckReport {
  to: string;
  passed: boolean;
  results: CheckResult[];
  /** What the failures point at, when one cause explains them (receiver down, wrong path, JSON parsed before verifying). */
  diagnosis?: string;
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
interface CheckCase {
  name: string;
  expected: Expectation;
  /** The body's bytes change under JSON.parse + JSON.stringify: only a raw-bytes verifier accepts it. */
  rawBytes?: true;
  build: (ctx: Context) => Delivery;
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

const cases: readonly CheckCase[] = [
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
export const checkCaseNames: readonly string[] = cases.map((c) => c.name);

function verdictOf(expected: Expectation, got: CheckResult['got']): Verdict {
  if (typeof got !== 'number') return 'fail';
  if (expected === 'accept') return got >= 200 && got < 300 ? 'pass' : 'fail';
  // A 404 rejects every request alike: it says nothing about how the delivery was judged.
  if (got === 404) return 'inconclusive';
  return got >= 400 && got < 500 ? 'pass' : 'fail';
}

/** One cause that explains the failures, when there is one. */
function diagnose(url: URL, results: readonly CheckResult[]): string | undefined {
  const [first] = results;
  if (first === undefined) return undefined;
  if (results.every((r) => r.got === 'connection_error' && r.reason === first.reason)) {
    return /ECONNREFUSED/.test(first.reason ?? '')
      ? `connection refused: is the receiver running at ${url.href}?`
      : `cannot connect to ${url.href}: ${first.reason}`;
  }
  if (first.got === 404) {
    return `the valid event got 404: the path looks wrong (is the webhook route at ${url.pathname}?)`;
  }
  const rawFailed = results.filter((r, i) => cases[i]?.rawBytes === true && r.verdict === 'fail');
  if (first.pass && rawFailed.length > 0) {
    return (
      'valid events whose bytes change when JSON is parsed and re-serialised were refused: verify the ' +
      'raw body bytes exactly as received, with no JSON parser mounted before the webhook route'
    );
  }
  return undefined;
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
  const url = targetUrl(options.to, optionName('to', options.optionNaming));
  const { timeoutMs, seed: givenSeed } = options;
  const problems = optionValidators.check.problems({
    to: url.href,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(givenSeed === undefined ? {} : { seed: givenSeed }),
  });
  if (problems.length > 0) {
    const name = (field: string) => optionName(field as OptionName, options.optionNaming);
    throw new SenderConfigError(
      'invalid_option',
      problems.map((p) => `${name(p.field)} ${p.message}`).join('; '),
    );
  }
  const secrets: SecretInput[] = Array.isArray(options.secret)
    ? [...(options.secret as SecretInput[])]
    : [options.secret as SecretInput];
  if (secrets.length === 0)
    throw new SenderConfigError('missing_secret', 'check needs at least one endpoint secret');
  // Decode up front: a malformed secret is a config error, not 14 failing cases.
  decodeSecrets(secrets);
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
  const stop = () => client.close();
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    for (const testCase of cases) {
      if (options.signal?.aborted === true) break;
      const ctx: Context = { secrets, now: Math.floor((options.now ?? Date.now)() / 1000), fresh, first };
      const delivery = testCase.build(ctx);
      const outcome = await client.post({
        url,
        headers: { 'content-type': 'application/json', 'user-agent': userAgent, ...delivery.headers },
        body: Buffer.from(delivery.body),
        timeoutMs: options.timeoutMs ?? 10_000,
      });
      const got = outcome.kind === 'response' ? outcome.status : outcome.kind;
      const verdict = verdictOf(testCase.expected, got);
      results.push({
        case: testCase.name,
        expected: testCase.expected,
        got,
        pass: verdict === 'pass',
        verdict,
        ...(verdict !== 'pass' ? { reason: failureReason(outcome) } : {}),
        ...(outcome.kind === 'response' && verdict !== 'pass' && outcome.body !== ''
          ? { body: outcome.body.slice(0, 200) }
          : {}),
      });
    }
  } finally {
    options.signal?.removeEventListener('abort', stop);
    client.close();
  }
  const diagnosis = diagnose(url, results);
  // An aborted run has fewer results than cases: it did not pass.
  return {
    to: url.href,
    passed: results.length === cases.length && results.every((r) => r.pass),
    results,
    ...(diagnosis !== undefined ? { diagnosis } : {}),
  };
}

/** The check results as a text table: case, expected, got, verdict and why; one line when nothing answered. */
export function formatCheckTable(report: CheckReport): string {
  const failed = report.results.filter((r) => !r.pass).length;
  const total = report.results.length;
  const unreachable = report.results.every((r) => r.got === 'connection_error');
  if (unreachable && report.diagnosis !== undefined) {
    return `${report.diagnosis}\n\n${failed} of ${total} cases FAILED against ${report.to}`;
  }
  const rows = report.results.map((r) => [
    r.case,
    r.expected === 'accept' ? '2xx' : '4xx',
    String(r.got),
    r.verdict === 'pass' ? 'pass' : r.verdict === 'fail' ? 'FAIL' : 'INCONCLUSIVE',
    r.reason ?? '',
  ]);
  const header = ['case', 'expected', 'got', 'result', 'why'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const inconclusive = report.results.filter((r) => r.verdict === 'inconclusive').length;
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    ...(report.diagnosis !== undefined ? [report.diagnosis] : []),
    failed === 0
      ? `all ${total} cases passed against ${report.to}`
      : `${failed} of ${total} cases FAILED against ${report.to}` +
        (inconclusive > 0 ? ` (${inconclusive} inconclusive)` : ''),
  ].join('\n');
}
