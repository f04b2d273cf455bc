// Verification is on every request's path. Two rows, each side timed in interleaved rounds in one
// process (drift, GC and a noisy neighbour hit both alike), medians compared:
// - `verify`: our `Webhook.unwrap` (verify + JSON parse + contract validation) against the Whop
//   SDK's `webhooks.unwrap` (verify + JSON parse, no contract), what Whop's docs tell users to call,
//   over the docs example and every catalog type's example;
// - `verify lesson`: the same on the docs lesson event against `standardwebhooks` `Webhook.verify`.
// Same bytes, headers and secret on both sides. Ours takes the raw body bytes (as `express.raw`
// hands them over); the SDK's unwrap takes a string, so it gets the body's text, decoded before the
// timing starts (that decode is not counted against it).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Webhook } from '@webhook-contracts/webhooks';
import { Whop } from '@whop/sdk';
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

interface Delivery {
  headers: Record<string, string>;
  body: Buffer;
  text: string;
}

/** Signed deliveries of `bodies`, each checked to be accepted by every side (else we time errors). */
function signedDeliveries(ours: Webhook, bodies: Buffer[], accept: (d: Delivery) => unknown): Delivery[] {
  const timestamp = Math.floor(Date.now() / 1000);
  return bodies.map((body, i) => {
    const id = `msg_bench${String(i).padStart(19, '0')}`;
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': ours.sign(id, timestamp, body),
    };
    const delivery = { headers, body, text: body.toString('utf8') };
    const check = ours.unwrap(headers, body);
    if (check.kind !== 'event') throw new Error(`bench: expected a known event, got ${check.kind}`);
    accept(delivery);
    return delivery;
  });
}

/** Interleaved rounds of `ours` and `baseline`, each cycling through `deliveries`. */
function compareOver(
  deliveries: Delivery[],
  ours: (d: Delivery) => unknown,
  baseline: (d: Delivery) => unknown,
  opts: BenchOptions,
): { ours: number; baseline: number } {
  let a = 0;
  let b = 0;
  const n = deliveries.length;
  return compareThroughput(
    () => ours(deliveries[a++ % n]!),
    () => baseline(deliveries[b++ % n]!),
    { seconds: opts.seconds ?? (opts.quick ? 2 : 9), rounds: opts.rounds ?? (opts.quick ? 3 : 9) },
  );
}

/**
 * Our `Webhook.unwrap` against the Whop SDK's `webhooks.unwrap` over every catalog type, and against
 * `standardwebhooks` on the lesson event, in verifications per second. Target: 4x each.
 */
export async function benchVerify(opts: BenchOptions = {}): Promise<BenchResult[]> {
  const ours = new Webhook(SECRET);
  // Whop's docs: the SDK client is made once with webhookKey btoa(secret).
  const whop = new Whop({ apiKey: 'bench-offline', webhookKey: Buffer.from(SECRET).toString('base64') });
  const reference = new ReferenceWebhook(Buffer.from(SECRET).toString('base64'));
  const sdkUnwrap = (d: Delivery) => whop.webhooks.unwrap(d.text, { headers: d.headers });
  const referenceVerify = (d: Delivery) => reference.verify(d.body, d.headers);
  const unwrap = (d: Delivery) => ours.unwrap(d.headers, d.body);

  const catalog = signedDeliveries(ours, catalogExampleBodies(), sdkUnwrap);
  const lesson = signedDeliveries(ours, [docsExampleBody()], referenceVerify);
  const sdk = compareOver(catalog, unwrap, sdkUnwrap, opts);
  const lessonFigures = compareOver(lesson, unwrap, referenceVerify, opts);
  return [
    {
      name: 'verify',
      ours: Math.round(sdk.ours),
      baseline: Math.round(sdk.baseline),
      unit: 'ops/s',
      target: 4,
      better: 'higher',
      details: {
        baseline: '@whop/sdk webhooks.unwrap (verify + JSON.parse; ours also validates the contract)',
        bodies: catalog.length,
        types: 'course_lesson_interaction.completed docs example + valid.example.json of every other type',
      },
    },
    {
      name: 'verify lesson',
      ours: Math.round(lessonFigures.ours),
      baseline: Math.round(lessonFigures.baseline),
      unit: 'ops/s',
      target: 4,
      better: 'higher',
      details: {
        baseline: 'standardwebhooks Webhook.verify (verify + JSON.parse; ours also validates the contract)',
        bodies: 'course_lesson_interaction.completed docs example',
      },
    },
  ];
}
