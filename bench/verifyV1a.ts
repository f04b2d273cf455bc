// What the asymmetric scheme costs a receiver: `Webhook.verify` of one delivery signed `v1a`
// (ed25519, checked against a whpk_ public key) against the same delivery signed `v1` (HMAC-SHA256),
// in one process, in interleaved rounds. Ed25519 verification is a fixed cost of tens of
// microseconds, HMAC a few: the row says how many v1 verifications one v1a verification is worth.
import { generateKeyPair, Webhook } from '@webhook-contracts/webhooks';
import { BENCH_SECRET, docsExampleBody } from './support/fixtures.js';
import { compareThroughput } from './support/throughput.js';
import type { BenchOptions, BenchResult } from './support/types.js';

/**
 * Microseconds per `verify` of a v1a delivery, with the v1 figure of the same run as the limit's
 * unit: it passes while one v1a verification costs at most `target` v1 verifications.
 */
export async function benchVerifyV1a(opts: BenchOptions = {}): Promise<BenchResult> {
  const timestamp = Math.floor(Date.now() / 1000);
  const body = docsExampleBody();
  const id = 'msg_benchV1a000000000000000';
  const { signingKey, publicKey } = generateKeyPair();
  const delivery = (secret: string) => ({
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': new Webhook(secret).sign(id, timestamp, body),
  });
  const v1a = { webhook: new Webhook(publicKey), headers: delivery(signingKey) };
  const v1 = { webhook: new Webhook(BENCH_SECRET), headers: delivery(BENCH_SECRET) };
  // Both must accept, or we would be timing the error path.
  v1a.webhook.verify(v1a.headers, body);
  v1.webhook.verify(v1.headers, body);

  const { ours, baseline } = compareThroughput(
    () => v1a.webhook.verify(v1a.headers, body),
    () => v1.webhook.verify(v1.headers, body),
    { seconds: opts.seconds ?? (opts.quick ? 2 : 6), rounds: opts.rounds ?? (opts.quick ? 3 : 7) },
  );
  const micros = (opsPerSecond: number) => Math.round((1e6 / opsPerSecond) * 100) / 100;
  return {
    name: 'verify-v1a',
    ours: micros(ours),
    baseline: micros(baseline),
    unit: 'µs',
    target: 60,
    better: 'lower',
    details: {
      v1aVerifiesPerSecond: Math.round(ours),
      v1VerifiesPerSecond: Math.round(baseline),
      body: `docs example, ${body.length} bytes`,
    },
  };
}
