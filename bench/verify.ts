// Verification is on every request's path: this measures our `Webhook.unwrap` (verify + JSON parse
// + contract validation) against the reference library's `verify` (verify + JSON parse, no
// contract) on the docs example, in one process, in interleaved rounds so drift (turbo clocks,
// GC, a noisy neighbour) hits both sides alike.
import { Webhook } from '@webhook-contracts/webhooks';
import { Webhook as ReferenceWebhook } from 'standardwebhooks';
import { BENCH_SECRET, docsExampleBody } from './support/fixtures.js';
import { compareThroughput } from './support/throughput.js';
import type { BenchOptions, BenchResult } from './support/types.js';

// A Whop-style secret; the reference library gets btoa(secret) as the docs instruct.
const SECRET = BENCH_SECRET;

/**
 * Our `Webhook.unwrap` vs `new standardwebhooks.Webhook(secret).verify` on the docs example, in
 * verifications per second. Target: at least 3x the reference.
 */
export async function benchVerify(opts: BenchOptions = {}): Promise<BenchResult> {
  const body = docsExampleBody();
  const timestamp = Math.floor(Date.now() / 1000);
  const ours = new Webhook(SECRET);
  const reference = new ReferenceWebhook(Buffer.from(SECRET).toString('base64'));
  const headers = {
    'webhook-id': 'msg_bench000000000000000000',
    'webhook-timestamp': String(timestamp),
    'webhook-signature': ours.sign('msg_bench000000000000000000', timestamp, body),
  };

  // Both sides must accept the delivery, or we would be timing the error path.
  const check = ours.unwrap(headers, body);
  if (check.kind !== 'event')
    throw new Error(`bench: expected the docs example to be a known event, got ${check.kind}`);
  reference.verify(body, headers);

  const { ours: oursOps, baseline } = compareThroughput(
    () => ours.unwrap(headers, body),
    () => reference.verify(body, headers),
    { seconds: opts.seconds ?? (opts.quick ? 2 : 9), rounds: opts.rounds ?? (opts.quick ? 3 : 9) },
  );
  return {
    name: 'verify',
    ours: Math.round(oursOps),
    baseline: Math.round(baseline),
    unit: 'ops/s',
    target: 3,
    better: 'higher',
  };
}
