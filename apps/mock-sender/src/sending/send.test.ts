import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { knownEventTypes, validateEvent } from '@webhook-contracts/schema';
import { useSenderMsw } from '@webhook-contracts/test-kit';
import { HttpResponse, http } from 'msw';
import { Webhook as ReferenceWebhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { generateEvents } from '../generators/generator.js';
import { formatSummary, runFailed } from '../report/summary.js';
import { recordingSleep, SECRET, scriptedReceiver, steppingClock, TARGET } from '../test-support/recorder.js';
import { send } from './send.js';
import { useHttpTransport } from './transport/httpClient.js';

const server = useSenderMsw(useHttpTransport);

const base = { to: TARGET, secret: SECRET, seed: 'test-seed', onWarning: () => {} };

describe('send: what goes on the wire', () => {
  it('posts signed, schema-valid generated events that the reference library verifies', async () => {
    const receiver = scriptedReceiver([200]);
    server.use(receiver.handler);
    const summary = await send({ ...base, generate: 5 });

    expect(summary).toMatchObject({
      sent: 5,
      events: 5,
      delivered: 5,
      failed: 0,
      attempts: 5,
      byStatus: { '200': 5 },
    });
    expect(receiver.requests).toHaveLength(5);
    const reference = new ReferenceWebhook(SECRET);
    for (const request of receiver.requests) {
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['user-agent']).toMatch(/^webhook-contracts-mock-sender\/\d+\.\d+\.\d+$/);
      expect(request.headers['webhook-id']).toMatch(/^msg_[0-9A-Za-z]{24}$/);
      expect(request.headers['webhook-timestamp']).toMatch(/^\d+$/);
      const verified = reference.verify(request.body, request.headers) as { id: string };
      expect(verified.id).toBe(request.headers['webhook-id']);
      expect(validateEvent(JSON.parse(request.body)).kind).toBe('event');
    }
  });

  it('sends every valid docs example by default, each with a fresh msg_ id and otherwise the file bytes', async () => {
    const receiver = scriptedReceiver([200]);
    server.use(receiver.handler);
    const summary = await send({ ...base, concurrency: 1 });

    expect(summary.sent).toBeGreaterThanOrEqual(3);
    expect(summary.delivered).toBe(summary.sent);
    const ids = receiver.requests.map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(ids.length);
    const docsPage = readFileSync(
      new URL(
        '../../../../contracts/examples/course_lesson_interaction.completed/docs-page.json',
        import.meta.url,
      ),
      'utf8',
    );
    expect(receiver.requests[0]!.body).toBe(docsPage.replace('msg_xxxxxxxxxxxxxxxxxxxxxxxx', ids[0]!));
    for (const request of receiver.requests) {
      expect(validateEvent(JSON.parse(request.body)).kind).toBe('event');
    }
  });

  it('signs with every secret when given several, so either one verifies', async () => {
    const receiver = scriptedReceiver([200]);
    server.use(receiver.handler);
    const other = 'whsec_dGhpcyBpcyBhbm90aGVyIHNlY3JldCBvZiBieXRlcw==';
    await send({ ...base, secret: [SECRET, other], generate: 1 });

    const request = receiver.requests[0]!;
    expect(request.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(() => new ReferenceWebhook(SECRET).verify(request.body, request.headers)).not.toThrow();
    expect(() => new ReferenceWebhook(other).verify(request.body, request.headers)).not.toThrow();
  });

  it('applies --set overrides and warns when the result breaks the contract', async () => {
    const receiver = scriptedReceiver([200]);
    server.use(receiver.handler);
    const warnings: string[] = [];
    await send({
      ...base,
      generate: 1,
      set: { 'data.user.name': 42, 'data.extra.flag': true },
      onWarning: (w) => warnings.push(w),
    });

    const body = JSON.parse(receiver.requests[0]!.body);
    expect(body.data.user.name).toBe(42);
    expect(body.data.extra).toEqual({ flag: true });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('/data/user/name');
  });

  it('sends the same generated events for the same seed', async () => {
    const receiver = scriptedReceiver([200]);
    server.use(receiver.handler);
    await send({ ...base, generate: 3, concurrency: 1 });
    await send({ ...base, generate: 3, concurrency: 1 });
    const bodies = receiver.requests.map((r) => r.body);
    expect(bodies.slice(0, 3)).toEqual(bodies.slice(3));
  });
});

describe('send: retries', () => {
  it('retries on the schedule with the same webhook-id and a fresh timestamp and signature', async () => {
    const receiver = scriptedReceiver([500, 502, 429, 200]);
    server.use(receiver.handler);
    const { sleep, delays } = recordingSleep();
    const summary = await send({
      ...base,
      generate: 1,
      retrySchedule: [1, 2, 4],
      sleep,
      now: steppingClock(1_700_000_000_000, 1500),
    });

    expect(summary).toMatchObject({
      delivered: 1,
      failed: 0,
      attempts: 4,
      byStatus: { '500': 1, '502': 1, '429': 1, '200': 1 },
    });
    expect(delays).toEqual([1000, 2000, 4000]);
    const ids = new Set(receiver.requests.map((r) => r.headers['webhook-id']));
    const timestamps = new Set(receiver.requests.map((r) => r.headers['webhook-timestamp']));
    const signatures = new Set(receiver.requests.map((r) => r.headers['webhook-signature']));
    const bodies = new Set(receiver.requests.map((r) => r.body));
    expect(ids.size).toBe(1);
    expect(bodies.size).toBe(1);
    expect(timestamps.size).toBe(4);
    expect(signatures.size).toBe(4);
  });

  it('gives up after the last retry and reports the final status', async () => {
    const receiver = scriptedReceiver([503]);
    server.use(receiver.handler);
    const { sleep, delays } = recordingSleep();
    const dir = mkdtempSync(join(tmpdir(), 'mock-sender-'));
    const report = join(dir, 'report.jsonl');
    const summary = await send({ ...base, generate: 1, retrySchedule: [0.01, 0.02], sleep, report });

    expect(summary).toMatchObject({ delivered: 0, failed: 1, attempts: 3, byStatus: { '503': 3 } });
    expect(delays).toEqual([10, 20]);
    const lines = readFileSync(report, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      {
        id: receiver.requests[0]!.headers['webhook-id'],
        type: 'course_lesson_interaction.completed',
        status: 503,
        attempts: 3,
        delivered: false,
      },
    ]);
  });

  it('stops when its signal aborts: the pending retry wait ends and no further event starts', async () => {
    const receiver = scriptedReceiver([503]);
    server.use(receiver.handler);
    const controller = new AbortController();
    // The first retry wait aborts the run and would otherwise never end.
    const sleep = () => {
      controller.abort();
      return new Promise<void>(() => {});
    };
    const summary = await send({
      ...base,
      generate: 10,
      concurrency: 2,
      retrySchedule: [3600],
      sleep,
      signal: controller.signal,
    });

    expect(receiver.requests).toHaveLength(2);
    expect(summary).toMatchObject({ attempts: 2, delivered: 0, byStatus: { '503': 2 } });
  });

  it('waits for Retry-After (seconds) on 429 when it is longer than the schedule', async () => {
    const receiver = scriptedReceiver([{ status: 429, headers: { 'retry-after': '7' } }, 200]);
    server.use(receiver.handler);
    const { sleep, delays } = recordingSleep();
    await send({ ...base, generate: 1, retrySchedule: [1], sleep });
    expect(delays).toEqual([7000]);
  });

  it('honours a Retry-After HTTP date on 503 and keeps the schedule when Retry-After is shorter', async () => {
    const now = Date.parse('2025-06-01T12:00:00Z');
    const receiver = scriptedReceiver([
      { status: 503, headers: { 'retry-after': new Date(now + 30_000).toUTCString() } },
      { status: 503, headers: { 'retry-after': '1' } },
      200,
    ]);
    server.use(receiver.handler);
    const { sleep, delays } = recordingSleep();
    await send({ ...base, generate: 1, retrySchedule: [2, 5], sleep, now: () => now });
    expect(delays).toEqual([30_000, 5000]);
  });

  it('caps a huge Retry-After at maxRetryAfterSeconds', async () => {
    const receiver = scriptedReceiver([{ status: 429, headers: { 'retry-after': '86400' } }, 200]);
    server.use(receiver.handler);
    const { sleep, delays } = recordingSleep();
    await send({ ...base, generate: 1, retrySchedule: [1], maxRetryAfterSeconds: 60, sleep });
    expect(delays).toEqual([60_000]);
  });

  it('ignores Retry-After on statuses other than 429 and 503', async () => {
    const receiver = scriptedReceiver([{ status: 500, headers: { 'retry-after': '99' } }, 200]);
    server.use(receiver.handler);
    const { sleep, delays } = recordingSleep();
    await send({ ...base, generate: 1, retrySchedule: [1], sleep });
    expect(delays).toEqual([1000]);
  });

  it('stops for good on 410 and sends no further events to that endpoint', async () => {
    const receiver = scriptedReceiver([200, 410]);
    server.use(receiver.handler);
    const { sleep } = recordingSleep();
    const summary = await send({ ...base, generate: 10, concurrency: 1, retrySchedule: [1, 2, 3], sleep });

    expect(receiver.requests).toHaveLength(2);
    expect(summary).toMatchObject({
      sent: 2,
      delivered: 1,
      failed: 1,
      attempts: 2,
      endpointGone: true,
      notSent: 8,
    });
  });

  it('does not follow redirects: a 3xx is a failed attempt', async () => {
    const receiver = scriptedReceiver([{ status: 307, headers: { location: 'http://elsewhere.test/hook' } }]);
    const elsewhere = scriptedReceiver([200], 'http://elsewhere.test/hook');
    server.use(receiver.handler, elsewhere.handler);
    const { sleep } = recordingSleep();
    const summary = await send({ ...base, generate: 1, retrySchedule: [0.01], sleep });

    expect(elsewhere.requests).toHaveLength(0);
    expect(receiver.requests).toHaveLength(2);
    expect(summary).toMatchObject({ delivered: 0, failed: 1, byStatus: { '307': 2 } });
  });

  it('retries an attempt that times out', async () => {
    const stalled: Array<() => void> = [];
    const receiver = scriptedReceiver([
      () =>
        new Promise<Response>((resolve) =>
          stalled.push(() => resolve(new HttpResponse(null, { status: 200 }))),
        ),
      200,
    ]);
    server.use(receiver.handler);
    const { sleep, delays } = recordingSleep();
    const summary = await send({ ...base, generate: 1, timeoutMs: 50, retrySchedule: [0.5], sleep });
    for (const release of stalled) release();

    expect(summary).toMatchObject({ delivered: 1, attempts: 2, byStatus: { timeout: 1, '200': 1 } });
    expect(delays).toEqual([500]);
  });

  it('retries a connection error', async () => {
    const receiver = scriptedReceiver([async () => HttpResponse.error(), 200]);
    server.use(receiver.handler);
    const { sleep } = recordingSleep();
    const summary = await send({ ...base, generate: 1, retrySchedule: [0.01], sleep });
    expect(summary).toMatchObject({ delivered: 1, attempts: 2, byStatus: { connection_error: 1, '200': 1 } });
  });
});

describe('send: fault injection and limits', () => {
  it('delivers each event K times with the same webhook-id when asked for duplicates', async () => {
    const receiver = scriptedReceiver([200]);
    server.use(receiver.handler);
    const summary = await send({ ...base, generate: 3, duplicates: 2, concurrency: 1 });

    expect(summary).toMatchObject({ sent: 6, events: 3, delivered: 6 });
    const counts = new Map<string, number>();
    for (const r of receiver.requests)
      counts.set(r.headers['webhook-id']!, (counts.get(r.headers['webhook-id']!) ?? 0) + 1);
    expect([...counts.values()]).toEqual([2, 2, 2]);
  });

  it('shuffles the delivery order within the window but delivers every event once', async () => {
    const plain = scriptedReceiver([200]);
    server.use(plain.handler);
    await send({ ...base, generate: 30, concurrency: 1 });
    const shuffled = scriptedReceiver([200]);
    server.use(shuffled.handler);
    await send({ ...base, generate: 30, concurrency: 1, shuffle: 5 });

    const order = plain.requests.map((r) => r.headers['webhook-id']);
    const shuffledOrder = shuffled.requests.map((r) => r.headers['webhook-id']);
    expect(shuffledOrder).not.toEqual(order);
    expect([...shuffledOrder].sort()).toEqual([...order].sort());
  });

  it('never has more requests in flight than the concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    const receiver = scriptedReceiver([
      async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        return new HttpResponse(null, { status: 204 });
      },
    ]);
    server.use(receiver.handler);
    const summary = await send({ ...base, generate: 40, concurrency: 4 });
    expect(summary.delivered).toBe(40);
    expect(peak).toBeLessThanOrEqual(4);
    expect(peak).toBeGreaterThan(1);
  });

  it('rejects options that cannot work before sending anything', async () => {
    await expect(send({ ...base, generate: 0 })).rejects.toMatchObject({ code: 'invalid_option' });
    await expect(send({ ...base, to: 'ftp://x' })).rejects.toMatchObject({ code: 'invalid_option' });
    await expect(send({ ...base, example: 'no-such-example' })).rejects.toMatchObject({
      code: 'unknown_example',
    });
    await expect(send({ ...base, allExamples: true, example: 'docs-page' })).rejects.toMatchObject({
      code: 'invalid_option',
    });
    await expect(send({ ...base, generate: 1, payloads: [{}] })).rejects.toMatchObject({
      code: 'invalid_option',
    });
  });

  it('sends every docs example first and then the generated events when asked for both', async () => {
    const receiver = scriptedReceiver([200]);
    server.use(receiver.handler);
    const examplesOnly = scriptedReceiver([200], 'http://examples-only.test/webhooks');
    server.use(examplesOnly.handler);
    await send({ ...base, to: 'http://examples-only.test/webhooks', allExamples: true, concurrency: 1 });
    const exampleCount = examplesOnly.requests.length;

    const summary = await send({ ...base, allExamples: true, generate: 4, concurrency: 1 });

    expect(summary).toMatchObject({ sent: exampleCount + 4, delivered: exampleCount + 4, failed: 0 });
    // The same seed gives the same fresh ids: the first bodies are the examples-only run's.
    expect(receiver.requests.slice(0, exampleCount).map((r) => r.body)).toEqual(
      examplesOnly.requests.map((r) => r.body),
    );
    const bodies = receiver.requests.map((r) => JSON.parse(r.body) as { data: { user: { id: string } } });
    const generated = [...generateEvents({ seed: 'test-seed', count: 4 })].map((e) => e.data.user.id);
    expect(bodies.slice(exampleCount).map((b) => b.data.user.id)).toEqual(generated);
  });

  it('sends the examples of every catalog type by default, and counts the deliveries by type', async () => {
    const receiver = scriptedReceiver([200]);
    server.use(receiver.handler);
    const summary = await send({ ...base, allExamples: true });
    const sentTypes = receiver.requests.map((r) => (JSON.parse(r.body) as { type: string }).type);
    expect(new Set(sentTypes)).toEqual(new Set(knownEventTypes));
    expect(Object.keys(summary.byType).sort()).toEqual([...knownEventTypes].sort());
    expect(Object.values(summary.byType).reduce((a, b) => a + b, 0)).toBe(receiver.requests.length);
    expect(summary.byType['course_lesson_interaction.completed']).toBe(
      sentTypes.filter((t) => t === 'course_lesson_interaction.completed').length,
    );
    // --type still narrows them (and the generated events), and --generate keeps its own default.
    const payments = await send({ ...base, allExamples: true, types: ['payment.succeeded'], generate: 2 });
    expect(payments.byType).toEqual({ 'payment.succeeded': 3 });
    const mixed = await send({ ...base, allExamples: true, generate: 2 });
    expect(mixed.byType['course_lesson_interaction.completed']).toBe(
      (summary.byType['course_lesson_interaction.completed'] ?? 0) + 2,
    );
  });

  it('sends a named invalid example as it is, for crafting edge cases', async () => {
    const receiver = scriptedReceiver([422]);
    server.use(receiver.handler);
    const summary = await send({ ...base, example: 'invalid.completed-is-a-string', retrySchedule: [] });
    expect(summary).toMatchObject({ delivered: 0, failed: 1, byStatus: { '422': 1 } });
    expect(JSON.parse(receiver.requests[0]!.body).data.completed).toBe('true');
  });

  it('does not retry an invalid example a receiver refused with a 4xx, and says so at the start', async () => {
    const violation = JSON.stringify({
      error: {
        code: 'contract_violation',
        message: 'off contract',
        details: [{ pointer: '/data/completed', message: 'must be boolean' }],
      },
    });
    const receiver = scriptedReceiver([async () => new HttpResponse(violation, { status: 422 })]);
    server.use(receiver.handler);
    const { sleep, delays } = recordingSleep();
    let refusals: number | undefined;
    const summary = await send({
      ...base,
      example: ['invalid.completed-is-a-string', 'docs-page'],
      sleep,
      onStart: (run) => {
        refusals = run.refusals;
      },
    });
    expect(refusals).toBe(1);
    // The invalid example got one attempt; the valid one, refused the same way, the full schedule.
    expect(summary).toMatchObject({ sent: 2, failed: 2, attempts: 5 });
    expect(delays).toEqual([10_000, 20_000, 40_000]);
    expect(summary.reasons).toEqual({
      '422': 'error code contract_violation: /data/completed: must be boolean',
    });
  });

  it('counts what the 2xx answers said, and fails the run on the answers named in failOn', async () => {
    const answers = ['accepted', 'quarantined', 'accepted', 'duplicate'];
    let n = 0;
    const receiver = scriptedReceiver([
      async () => HttpResponse.json({ status: answers[n++ % answers.length], webhook_id: 'msg_x' }),
    ]);
    server.use(receiver.handler);
    const report = join(mkdtempSync(join(tmpdir(), 'sender-answers-')), 'report.jsonl');
    const summary = await send({ ...base, generate: 4, concurrency: 1, failOn: ['quarantined'], report });
    expect(summary.answers).toEqual({ accepted: 2, quarantined: 1, duplicate: 1 });
    expect(summary.failOn).toEqual({ statuses: ['quarantined'], matched: 1 });
    expect(runFailed(summary)).toBe(true);
    const lines = readFileSync(report, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.answer)).toEqual(answers);
    expect(formatSummary(summary)).toMatch(/^answers: {3}accepted=2 duplicate=1 quarantined=1$/m);
    expect(formatSummary(summary)).toMatch(/^fail-on: {3}1 deliveries answered quarantined: the run fails$/m);

    n = 0;
    const passing = await send({ ...base, generate: 4, concurrency: 1, failOn: ['unhandled'] });
    expect(passing.failOn).toEqual({ statuses: ['unhandled'], matched: 0 });
    expect(runFailed(passing)).toBe(false);
    await expect(send({ ...base, generate: 1, failOn: ['refused' as 'accepted'] })).rejects.toThrow(
      /--fail-on must be an array of accepted, duplicate, unhandled, quarantined/,
    );
  });

  it('sends an invalid example byte for byte, without mending its id, and only the webhook-id fresh', async () => {
    const receiver = scriptedReceiver([422]);
    server.use(receiver.handler);
    await send({ ...base, example: 'invalid.missing-id', retrySchedule: [] });
    const file = readFileSync(
      new URL(
        '../../../../contracts/examples/course_lesson_interaction.completed/invalid.missing-id.json',
        import.meta.url,
      ),
      'utf8',
    );
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]!.body).toBe(file);
    expect('id' in JSON.parse(receiver.requests[0]!.body)).toBe(false);
    expect(receiver.requests[0]!.headers['webhook-id']).toMatch(/^msg_[0-9A-Za-z]{24}$/);
  });
});

describe('send: unhandled routes', () => {
  it('reports the final status of every delivery through onDelivery', async () => {
    server.use(http.post(TARGET, () => new HttpResponse(null, { status: 202 })));
    const seen: Array<{ status: unknown; attempts: number }> = [];
    await send({
      ...base,
      generate: 2,
      onDelivery: (d) => seen.push({ status: d.status, attempts: d.attempts.length }),
    });
    expect(seen).toEqual([
      { status: 202, attempts: 1 },
      { status: 202, attempts: 1 },
    ]);
  });
});

describe('send: the progress bar', () => {
  it('draws the run on a terminal, ending on the last count, and clears its line', async () => {
    server.use(http.post(TARGET, () => new HttpResponse(null, { status: 200 })));
    let written = '';
    const terminal = {
      isTTY: true,
      columns: 120,
      write: (chunk: string) => {
        written += chunk;
        return true;
      },
    };
    await send({ ...base, generate: 4, progress: terminal });
    const frames = written.split('\u001b[1G').map((frame) => stripVTControlCharacters(frame));
    expect(frames.at(-1)).toBe('');
    expect(frames.at(-2)).toMatch(/^\[#{24}\] 4\/4 ok 4 failed 0 \d+\.\d\/s$/);
  });

  it('writes nothing when the stream is not a terminal', async () => {
    server.use(http.post(TARGET, () => new HttpResponse(null, { status: 200 })));
    let written = '';
    const pipe = {
      isTTY: false,
      write: (chunk: string) => {
        written += chunk;
        return true;
      },
    };
    const summary = await send({ ...base, generate: 2, progress: pipe });
    expect(summary.delivered).toBe(2);
    expect(written).toBe('');
  });
});
