// Verification is on every request's path: this measures our `Webhook.unwrap` (verify + JSON parse
// + contract validation) against the reference library's `verify` (verify + JSON parse, no
// contract) over a mix of every catalog type, in one process, in interleaved rounds so drift (turbo clocks,
// GC, a noisy neighbour) hits both sides alike.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Webhook } from '@webhook-contracts/webhooks';
import { Webhook as ReferenceWebhook } from 'standardwebhooks';
import { BENCH_SECRET } from './processes.js';
import type { BenchOptions, BenchResult } from './run.js';

export interface ThroughputOptions {
  /** Total measuring time over both sides, warm-up excluded. Default 6. */
  seconds?: number;
  /** Interleaved rounds per side. Default 5. */
  rounds?: number;
}

const EXAMPLE = fileURLToPath(
  new URL('../contracts/examples/course_lesson_interaction.completed/docs-page.json', import.meta.url),
);
const SEED = '/work/shared/seed/course_lesson_interaction.completed.docs-page.txt';
// A Whop-style secret; the reference library gets btoa(secret) as the docs instruct.
const SECRET = BENCH_SECRET;

/** The docs example body, byte for byte: the contracts file, or the JSON object opening the seed page. */
export function docsExampleBody(): Buffer {
  if (existsSync(EXAMPLE)) return readFileSync(EXAMPLE);
  const text = readFileSync(SEED, 'utf8');
  let depth = 0;
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] === '{') depth += 1;
    else if (text[i] === '}' && --depth === 0) return Buffer.from(text.slice(0, i + 1), 'utf8');
  }
  throw new Error(`No JSON object at the start of ${SEED}: restore the seed or the contracts example.`);
}

/** Runs `fn` for about `ms` milliseconds; returns operations per second. */
export function opsPerSecond(fn: () => unknown, ms: number): number {
  const batch = 200;
  const start = performance.now();
  const deadline = start + ms;
  let ops = 0;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < batch; i += 1) fn();
    ops += batch;
    now = performance.now();
  }
  return (ops * 1000) / (now - start);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Interleaved throughput comparison: a warm-up of each side, then `rounds` alternating rounds
 * (the side that goes first alternates too); returns the medians.
 */
export function compareThroughput(
  ours: () => unknown,
  baseline: () => unknown,
  { seconds = 6, rounds = 5 }: ThroughputOptions = {},
): { ours: number; baseline: number } {
  const roundMs = (seconds * 1000) / (2 * rounds);
  opsPerSecond(ours, Math.min(500, roundMs));
  opsPerSecond(baseline, Math.min(500, roundMs));
  const a: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    if (round % 2 === 0) {
      a.push(opsPerSecond(ours, roundMs));
      b.push(opsPerSecond(baseline, roundMs));
    } else {
      b.push(opsPerSecond(baseline, roundMs));
      a.push(opsPerSecond(ours, roundMs));
    }
  }
  return { ours: median(a), baseline: median(b) };
}

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
