// `check()`: a conformance run against any receiver endpoint. It sends each case's delivery
// (`checkCases.ts`) one at a time, compares the answer's class with what the case expects, and names
// the one cause behind the failures when there is one. A 5xx never passes.
import { decodeKeys, type SecretInput } from '@webhook-contracts/webhooks';
import { SenderConfigError } from '../errors.js';
import { generateEvents } from '../generators/generator.js';
import { Random, randomSeed } from '../generators/random.js';
import { type OptionName, type OptionNaming, optionName } from '../options/optionNames.js';
import { optionValidators } from '../options/requestProblems.js';
import type { CheckRequest } from '../options/SendRequest.js';
import { targetUrl } from '../options/targetUrl.js';
import { failureReason } from '../sending/transport/failureReason.js';
import { createHttpClient } from '../sending/transport/httpClient.js';
import { userAgent } from '../version.js';
import { type CaseContext, checkCases, type Expectation } from './checkCases.js';

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
  /** The `webhook-id` the case's delivery carried (absent when the case leaves it out). */
  webhookId?: string;
  /** The `type` of the case's body ('' when it has none). */
  type?: string;
}

/** An event the check left in the target's store: a delivery the target answered 2xx. */
export interface StoredByCheck {
  webhook_id: string;
  type: string;
}

export interface CheckReport {
  to: string;
  passed: boolean;
  results: CheckResult[];
  /** What the failures point at, when one cause explains them (receiver down, wrong path, JSON parsed before verifying). */
  diagnosis?: string;
  /**
   * The events the target took (answered 2xx), once each: rows the check left in its store, such as
   * the `mock_sender_check.unknown_type` event, for a team to clean up.
   */
  stored: StoredByCheck[];
}

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
  const retry = results[1];
  if (first.pass && typeof retry?.got === 'number' && retry.got >= 500) {
    return (
      `answered ${retry.got} to a delivery it had already acknowledged: Whop retries 3 times then drops ` +
      'the event — a duplicate must get 2xx (look up the webhook-id, and answer 2xx when it is stored)'
    );
  }
  const rawFailed = results.filter((r, i) => checkCases[i]?.rawBytes === true && r.verdict === 'fail');
  if (first.pass && rawFailed.length > 0) {
    return (
      'valid events whose bytes change when JSON is parsed and re-serialised were refused: verify the ' +
      'raw body bytes exactly as received, with no JSON parser mounted before the webhook route'
    );
  }
  return undefined;
}

/** The body's `type` ('' when it is not JSON with a string type). */
function typeOf(body: string): string {
  try {
    const type = (JSON.parse(body) as { type?: unknown } | null)?.type;
    return typeof type === 'string' ? type : '';
  } catch {
    return '';
  }
}

/** The deliveries the target answered 2xx, once per webhook-id, in case order. */
function storedBy(results: readonly CheckResult[]): StoredByCheck[] {
  const stored = new Map<string, string>();
  for (const r of results) {
    if (typeof r.got !== 'number' || r.got < 200 || r.got >= 300 || r.webhookId === undefined) continue;
    if (!stored.has(r.webhookId)) stored.set(r.webhookId, r.type ?? '');
  }
  return [...stored].map(([webhook_id, type]) => ({ webhook_id, type }));
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
  const keys = decodeKeys(secrets, 'sign');
  const cases = checkCases.filter((c) => c.v1a !== true || keys.signers.length > 0);
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
      const ctx: CaseContext = { secrets, now: Math.floor((options.now ?? Date.now)() / 1000), fresh, first };
      const delivery = testCase.build(ctx);
      const outcome = await client.post({
        url,
        headers: { 'content-type': 'application/json', 'user-agent': userAgent, ...delivery.headers },
        body: Buffer.from(delivery.body),
        timeoutMs: options.timeoutMs ?? 10_000,
      });
      const got = outcome.kind === 'response' ? outcome.status : outcome.kind;
      const verdict = verdictOf(testCase.expected, got);
      const webhookId = delivery.headers['webhook-id'];
      results.push({
        ...(webhookId === undefined ? {} : { webhookId }),
        type: typeOf(delivery.body),
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
    stored: storedBy(results),
  };
}
