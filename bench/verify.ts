// Verification is on every request's path: this measures our `Webhook.unwrap` (verify + JSON parse
// + contract validation) against the reference library's `verify` (verify + JSON parse, no
// contract) over a mix of every catalog type, in one process, in interleaved rounds so drift (turbo clocks,
// GC, a noisy neighbour) hits both sides alike.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Webhook } from '@webhook-contracts/webhooks';
import { Webhook as ReferenceWebhook } from 'standardwebhooks';
import { BENCH_SECRET, docsExampleBody } from './support/fixtures.js';
import { compareThroughput } from './support/throughput.js';
import type { BenchOptions, BenchResult } from './support/types.js';

// A Whop-style secret; the reference library gets btoa(secret) as the docs instruct.
const SECRET = BENCH_SECRET;

/**
 * The mix of bodies both sides verify: the docs example and one realistic example of every other
 * catalog type (contracts/examples/<type>/valid.example.json), so the figure covers the catalog.
 */
export function catalogExampleBodies(): Buffer[] {
  const bodies = [docsExampleBody()];
  const examples = fileURLToPath(new URL('../contracts/examples/', import.meta.url));
  if (!existsSync(examples)) return bodies;
  for (const type of readdirSync(examples).sort()) {
    const file = join(examples, type, 'valid.example.json');
    if (existsSync(file)) bodies.push(readFileSync(file));
  }
  return bodies;
}

/**
 * Our `Webhook.unwrap` vs `new standardwebhooks.Webhook(secret).verify` over a mix of every
 * catalog type, in verifications per second. Target: at least 3x the reference.
 */
export async function benchVerify(opts: BenchOptions = {}): Promise<BenchResult> {
  const timestamp = Math.floor(Date.now() / 1000);
  const ours = new Webhook(SECRET);
  const reference = new ReferenceWebhook(Buffer.from(SECRET).toString('base64'));
  const deliveries = catalogExampleBodies().map((body, i) => {
    const id = `msg_bench${String(i).padStart(19, '0')}`;
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': ours.sign(id, timestamp, body),
    };
    // Both sides must accept every delivery, or we would be timing the error path.
    const check = ours.unwrap(headers, body);
    if (check.kind !== 'event') throw new Error(`bench: expected a known event, got ${check.kind}`);
    reference.verify(body, headers);
    return { headers, body };
  });
  let a = 0;
  let b = 0;
  const n = deliveries.length;

  const { ours: oursOps, baseline } = compareThroughput(
    () => {
      const d = deliveries[a++ % n]!;
      return ours.unwrap(d.headers, d.body);
    },
    () => {
      const d = deliveries[b++ % n]!;
      return reference.verify(d.body, d.headers);
    },
    { seconds: opts.seconds ?? (opts.quick ? 2 : 9), rounds: opts.rounds ?? (opts.quick ? 3 : 9) },
  );
  return {
    name: 'verify',
    ours: Math.round(oursOps),
    baseline: Math.round(baseline),
    unit: 'ops/s',
    target: 3,
    better: 'higher',
    details: {
      bodies: n,
      types: 'course_lesson_interaction.completed docs example + valid.example.json of every other type',
    },
  };
}
