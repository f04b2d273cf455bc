// Hostile input: a fast-check fuzzer sends thousands of raw requests with mutated headers,
// signatures, timestamps and bodies to a running receiver. No answer may be a 5xx or lack the
// error shape, the process must survive with bounded memory, and only correctly signed requests may
// leave anything in the store.
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEvents } from '@webhook-contracts/mock-sender';
import { ReadApi } from '@webhook-contracts/test-kit';
import { decodeSecret } from '@webhook-contracts/webhooks';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { sizes } from './support/config.js';
import { type ReceiverProcess, rssKiB, startReceiverProcess } from './support/processes.js';
import { buildRequest, type RawHeader, type RawResponse, rawExchange } from './support/rawHttp.js';
import { newSecret, nowSeconds } from './support/signing.js';

const secret = newSecret();
const otherSecret = newSecret();
const apiToken = 'reliability-fuzz-token';
const maxBodyBytes = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'reliability-fuzz-'));
let receiver: ReceiverProcess | undefined;

afterAll(async () => {
  if (receiver && receiver.child.exitCode === null) {
    receiver.child.kill('SIGKILL');
    await receiver.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

const events = [...generateEvents({ seed: 'reliability-fuzz', count: 50 })];

/** HMAC over any id/timestamp strings, so even nonsense timestamps can carry a correct signature. */
function hmac(key: string, id: string, timestamp: string, body: Buffer): string {
  return createHmac('sha256', decodeSecret(key)).update(`${id}.${timestamp}.`).update(body).digest('base64');
}

// ---- what a request is made of -------------------------------------------------------------

const eventIndex = fc.nat(events.length - 1);
const bodyArb = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('event' as const), index: eventIndex }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('truncated' as const),
      index: eventIndex,
      cut: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('invalid_utf8' as const),
      index: eventIndex,
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      bytes: fc.array(fc.constantFrom(0xff, 0xfe, 0xc3, 0x80, 0xed, 0xa0), { minLength: 1, maxLength: 4 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('nested' as const),
      depth: fc.integer({ min: 1, max: 150_000 }),
      style: fc.constantFrom('array', 'object', 'in_data'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('huge' as const),
      size: fc.integer({ min: 60_000, max: 1_200_000 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('json' as const), value: fc.jsonValue({ maxDepth: 4 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('retyped' as const),
      index: eventIndex,
      change: fc.constantFrom(
        'completed_string',
        'user_null',
        'no_data',
        'type_number',
        'lesson_array',
        'extra_fields',
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('empty' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('binary' as const), bytes: fc.uint8Array({ maxLength: 2000 }) }),
  },
);
type BodySpec = typeof bodyArb extends fc.Arbitrary<infer T> ? T : never;

// About half the requests are correctly signed, so the accepting path is fuzzed as hard as the
// rejecting ones.
const signatureArb = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('correct', 'correct_among_decoys') },
  {
    weight: 7,
    arbitrary: fc.constantFrom(
      'wrong_secret',
      'truncated',
      'wrong_version',
      'decoys_only',
      'tampered_body',
      'empty',
      'garbage',
      'huge',
    ),
  },
);
type SignatureKind = typeof signatureArb extends fc.Arbitrary<infer T> ? T : never;

const timestampArb = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('now' as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('near' as const),
      seconds: fc.integer({ min: -200, max: 200 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('skewed' as const),
      seconds: fc.oneof(
        fc.integer({ min: 310, max: 10_000_000 }),
        fc.integer({ min: -10_000_000, max: -310 }),
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('text' as const),
      value: fc.constantFrom(
        'abc',
        '1e9',
        '-1',
        '0x10',
        '١٧٠٠٠٠٠٠٠٠',
        '9'.repeat(400),
        '1700000000.5',
        '+1700000000',
        '',
      ),
    }),
  },
);

const mutationArb = fc.constantFrom(
  'drop_id',
  'drop_timestamp',
  'drop_signature',
  'duplicate_same',
  'duplicate_other_id',
  'duplicate_other_timestamp',
  'non_ascii_id',
  'control_char',
  'huge_header',
  'bad_header_name',
  'upper_case_names',
  'title_case_names',
  'junk_header',
  'short_content_length',
);
type Mutation = typeof mutationArb extends fc.Arbitrary<infer T> ? T : never;

/** Mutations after which a request carries no valid signature (or no parseable request at all). */
const rejecting = new Set<Mutation>([
  'drop_id',
  'drop_timestamp',
  'drop_signature',
  'duplicate_other_id',
  'duplicate_other_timestamp',
  'non_ascii_id',
  'control_char',
  'huge_header',
  'bad_header_name',
  'short_content_length',
]);

const requestArb = fc.record({
  body: bodyArb,
  signature: signatureArb,
  timestamp: timestampArb,
  mutations: fc.oneof(
    { weight: 1, arbitrary: fc.constant([]) },
    { weight: 1, arbitrary: fc.uniqueArray(mutationArb, { minLength: 1, maxLength: 3 }) },
  ),
  junk: fc.string({ unit: 'grapheme-ascii', maxLength: 40 }),
});
type RequestSpec = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

// ---- building the bytes ----------------------------------------------------------------------

function eventBytes(index: number, id: string): Buffer {
  return Buffer.from(JSON.stringify({ ...events[index]!, id }));
}

function makeBody(spec: BodySpec, id: string): Buffer {
  switch (spec.kind) {
    case 'event':
      return eventBytes(spec.index, id);
    case 'truncated': {
      const bytes = eventBytes(spec.index, id);
      return bytes.subarray(0, Math.floor(spec.cut * (bytes.length - 1)));
    }
    case 'invalid_utf8': {
      const bytes = eventBytes(spec.index, id);
      const at = Math.floor(spec.at * bytes.length);
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(spec.bytes), bytes.subarray(at)]);
    }
    case 'nested': {
      const { depth } = spec;
      if (spec.style === 'array') return Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`);
      const inner = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      if (spec.style === 'object') return Buffer.from(inner);
      return Buffer.from(
        JSON.stringify({ ...events[0]!, id }).replace('"data":{', `"data":{"deep":${inner},`),
      );
    }
    case 'huge':
      return Buffer.from(JSON.stringify({ ...events[0]!, id, padding: 'x'.repeat(spec.size) }));
    case 'json':
      return Buffer.from(JSON.stringify(spec.value) ?? 'null');
    case 'retyped': {
      const event = JSON.parse(JSON.stringify({ ...events[spec.index]!, id })) as Record<string, unknown> & {
        data: Record<string, unknown>;
      };
      if (spec.change === 'completed_string') event.data['completed'] = 'yes';
      if (spec.change === 'user_null') event.data['user'] = null;
      if (spec.change === 'no_data') delete (event as Partial<typeof event>).data;
      if (spec.change === 'type_number') event['type'] = 42;
      if (spec.change === 'lesson_array') event.data['lesson'] = [event.data['lesson']];
      if (spec.change === 'extra_fields') event['unexpected'] = { nested: [1, 2, 3] };
      return Buffer.from(JSON.stringify(event));
    }
    case 'empty':
      return Buffer.alloc(0);
    case 'binary':
      return Buffer.from(spec.bytes);
  }
}

function signatureValue(kind: SignatureKind, id: string, timestamp: string, body: Buffer): string {
  const good = hmac(secret, id, timestamp, body);
  const decoy = () => `v1,${hmac(otherSecret, `${id}x`, timestamp, body)}`;
  switch (kind) {
    case 'correct':
    case 'tampered_body':
      return `v1,${good}`;
    case 'correct_among_decoys':
      return `${decoy()} v1,${good} ${decoy()}`;
    case 'wrong_secret':
      return `v1,${hmac(otherSecret, id, timestamp, body)}`;
    case 'truncated':
      return `v1,${good.slice(0, good.length - 5)}`;
    case 'wrong_version':
      return `v2,${good} v1a,${good}`;
    case 'decoys_only':
      return `${decoy()} ${decoy()}`;
    case 'empty':
      return 'v1,';
    case 'garbage':
      return 'v1,ünïcødé≠base64 💥';
    case 'huge':
      return Array.from({ length: 400 }, decoy).join(' ');
  }
}

interface Built {
  request: Buffer;
  id: string;
  expect: 'accept' | 'reject' | 'either';
  why: string;
  /**
   * The connection may close before the whole request is read (headers the parser cannot take, or
   * bytes past a short Content-Length), so a reset may wipe the answer.
   */
  answersEarly: boolean;
}

function build(spec: RequestSpec, n: number): Built {
  const id = `msg_fuzz_${n}`;
  let body = makeBody(spec.body, id);
  const ts = spec.timestamp;
  const timestamp =
    ts.kind === 'now'
      ? String(nowSeconds())
      : ts.kind === 'text'
        ? ts.value
        : String(nowSeconds() + ts.seconds);
  const signature = signatureValue(spec.signature, id, timestamp, body);
  const signedBody = body;
  if (spec.signature === 'tampered_body') {
    body = body.length === 0 ? Buffer.from(' ') : Buffer.from(body);
    body[body.length - 1] = body[body.length - 1]! ^ 0x01;
  }
  let headers: [string | Buffer, string | Buffer][] = [
    ['webhook-id', id],
    ['webhook-timestamp', timestamp],
    ['webhook-signature', signature],
    ['content-type', 'application/json'],
  ];
  const m = new Set(spec.mutations);
  if (m.has('drop_id')) headers = headers.filter(([k]) => k !== 'webhook-id');
  if (m.has('drop_timestamp')) headers = headers.filter(([k]) => k !== 'webhook-timestamp');
  if (m.has('drop_signature')) headers = headers.filter(([k]) => k !== 'webhook-signature');
  if (m.has('duplicate_same')) headers.push(...headers.filter(([k]) => String(k).startsWith('webhook-')));
  if (m.has('duplicate_other_id')) headers.push(['webhook-id', `${id}_other`]);
  if (m.has('duplicate_other_timestamp')) headers.push(['webhook-timestamp', String(nowSeconds() - 1)]);
  if (m.has('non_ascii_id'))
    headers = headers.map(([k, v]) => (k === 'webhook-id' ? [k, `${String(v)}é`] : [k, v]));
  if (m.has('control_char')) headers.push(['x-fuzz', Buffer.from([0x61, 0x01, 0x00, 0x62])]);
  if (m.has('huge_header')) headers.push(['x-fuzz-padding', 'p'.repeat(20_000 + (n % 40_000))]);
  if (m.has('bad_header_name')) headers.push(['x bad(name)', 'value']);
  if (m.has('junk_header')) headers.push(['x-junk', spec.junk.trim() || 'junk']);
  if (m.has('upper_case_names')) headers = headers.map(([k, v]) => [String(k).toUpperCase(), v]);
  if (m.has('title_case_names')) {
    headers = headers.map(([k, v]) => [
      String(k).replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase()),
      v,
    ]);
  }
  const shortLength = m.has('short_content_length') && body.length > 0;
  if (shortLength) headers.push(['content-length', String(body.length - 1)]);
  const request = buildRequest('/webhooks', headers as RawHeader[], body, { omitContentLength: shortLength });

  // What the server reads as the body: a short Content-Length cuts it (the rest is junk after it).
  const visibleBody = shortLength ? body.subarray(0, body.length - 1) : body;
  const reasons: string[] = [];
  if (!visibleBody.equals(signedBody)) reasons.push('the body read differs from the signed one');
  if (!['correct', 'correct_among_decoys', 'tampered_body'].includes(spec.signature)) {
    reasons.push(`signature ${spec.signature}`);
  }
  if (ts.kind === 'skewed' || ts.kind === 'text') reasons.push(`timestamp ${ts.kind}`);
  for (const x of m) if (x !== 'short_content_length' && rejecting.has(x)) reasons.push(x);
  if (body.length > maxBodyBytes) reasons.push('body over the limit');
  const expected = reasons.length > 0 ? 'reject' : m.has('duplicate_same') ? 'either' : 'accept';
  // Answered before the request is read to its end, by Node's header parser; or, after a short
  // Content-Length, the byte past it is parsed as a next request, which the parser refuses by closing
  // the connection, possibly while this client still writes a large body. (An oversized body is
  // drained after its 413, so that answer must always arrive.)
  const answersEarly =
    spec.signature === 'huge' ||
    shortLength ||
    ['control_char', 'huge_header', 'bad_header_name'].some((x) => m.has(x as Mutation));
  return { request, id, expect: expected, why: reasons.join(', ') || [...m].join(', '), answersEarly };
}

function errorShape(response: RawResponse): { code: unknown; message: unknown } | undefined {
  try {
    const parsed = JSON.parse(response.body.toString('utf8')) as {
      error?: { code?: unknown; message?: unknown };
    };
    return parsed.error && { code: parsed.error.code, message: parsed.error.message };
  } catch {
    return undefined;
  }
}

// ---- the run --------------------------------------------------------------------------------

describe('hostile input', () => {
  it(`answers ${sizes.fuzzRequests} fuzzed requests without a 5xx, a crash, a stored forgery or unbounded memory`, async () => {
    receiver = await startReceiverProcess({
      secret,
      apiToken,
      databaseUrl: `sqlite:${join(dir, 'fuzz.sqlite')}`,
      env: { MAX_BODY_BYTES: String(maxBodyBytes) },
    });
    const { port, pid } = receiver;

    // Warm up (JIT, SQLite page cache, pools) before the first memory sample.
    let n = 0;
    for (const spec of fc.sample(requestArb, { numRuns: 200, seed: 1 })) {
      await rawExchange(port, build(spec, n++).request);
    }
    const rssBefore = rssKiB(pid);

    const seed = Number(process.env['RELIABILITY_SEED'] ?? Date.now() % 2 ** 31);
    let rssMid = 0;
    console.info(`hostile input: fast-check seed ${seed} (rerun with RELIABILITY_SEED=${seed})`);
    const acceptedIds = new Set<string>();
    const seen = new Map<string, string>();
    const counts = {
      tried: 0,
      accepted: 0,
      rejected: 0,
      resetAfterEarlyAnswer: 0,
      byStatus: new Map<number, number>(),
    };
    await fc.assert(
      fc.asyncProperty(requestArb, async (spec) => {
        const built = build(spec, n++);
        const outcome = await rawExchange(port, built.request);
        counts.tried++;
        if (counts.tried === Math.floor(sizes.fuzzRequests / 2)) rssMid = rssKiB(pid);
        if (outcome.kind === 'no_response') {
          // Known race, reported in the figures: Node's parser answers broken or oversized headers
          // at once and closes without reading the rest, so the kernel may reset the connection
          // while this client still writes, wiping the answer. Anything else is a bug.
          if (built.answersEarly && /EPIPE|ECONNRESET/.test(outcome.error)) {
            counts.resetAfterEarlyAnswer++;
            return;
          }
          throw new Error(`no answer (${outcome.error}) to ${built.why}`);
        }
        const { response } = outcome;
        seen.set(
          built.id,
          `${response.status} ${response.body.toString('utf8').slice(0, 200)} ${JSON.stringify(spec).slice(0, 400)}`,
        );
        counts.byStatus.set(response.status, (counts.byStatus.get(response.status) ?? 0) + 1);
        expect(response.status, `5xx for ${built.why}: ${response.body}`).toBeLessThan(500);
        const ok = response.status >= 200 && response.status < 300;
        if (ok) {
          counts.accepted++;
          acceptedIds.add(built.id);
        } else {
          counts.rejected++;
          const shape = errorShape(response);
          expect(shape, `error shape of a ${response.status} for ${built.why}`).toBeDefined();
          expect(typeof shape?.code).toBe('string');
          expect(typeof shape?.message).toBe('string');
        }
        if (built.expect === 'accept') expect(response.status, `${built.why}: ${response.body}`).toBe(200);
        if (built.expect === 'reject') expect(ok, `${built.why} was answered ${response.status}`).toBe(false);
      }),
      { numRuns: sizes.fuzzRequests, endOnFailure: true, seed },
    );

    const rssAfter = rssKiB(pid);
    expect(receiver.child.exitCode, receiver.output()).toBeNull();
    const health = await fetch(`${receiver.url}/healthz`);
    expect(health.status).toBe(200);

    // Only what was answered 2xx is stored, under exactly the ids that were signed.
    const stored = await new ReadApi(receiver.url, apiToken).allEvents();
    const warmUpIds = stored.filter((e) => Number(e.webhook_id.slice('msg_fuzz_'.length)) < 200);
    const fuzzStored = stored.filter((e) => !warmUpIds.includes(e));
    const unexpected = fuzzStored.filter((e) => !acceptedIds.has(e.webhook_id));
    expect(unexpected.map((e) => `${e.webhook_id}: ${seen.get(e.webhook_id)}`)).toEqual([]);
    expect(new Set(fuzzStored.map((e) => e.webhook_id))).toEqual(acceptedIds);
    for (const e of stored) expect(e.webhook_id).toMatch(/^msg_fuzz_\d+$/);

    const growthMiB = (rssAfter - rssBefore) / 1024;
    console.info(
      `hostile input: ${counts.tried} requests, ${counts.accepted} accepted, ${counts.rejected} rejected, ` +
        `${counts.resetAfterEarlyAnswer} reset after an early answer, ` +
        `statuses ${JSON.stringify(Object.fromEntries(counts.byStatus))}, RSS ${Math.round(rssBefore / 1024)} -> ` +
        `${Math.round(rssMid / 1024)} (half-way) -> ${Math.round(rssAfter / 1024)} MiB`,
    );
    expect(counts.tried).toBe(sizes.fuzzRequests);
    expect(counts.accepted).toBeGreaterThan(0);
    expect(growthMiB).toBeLessThan(150);
  });
});
