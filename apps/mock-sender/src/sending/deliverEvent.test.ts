import { describe, expect, it } from 'vitest';
import { type AttemptRecord, type DeliverySettings, deliverEvent, type RetryNotice } from './deliverEvent.js';
import type { AttemptOutcome, HttpClient, PostRequest } from './transport/attemptOutcome.js';

type Scripted =
  | number
  | 'timeout'
  | 'connection_error'
  | { status: number; retryAfter?: string; body?: string };

/** A client that answers each attempt with the next scripted outcome and keeps the requests. */
function scriptedClient(script: Scripted[]) {
  const requests: PostRequest[] = [];
  const client: HttpClient = {
    async post(request) {
      requests.push(request);
      const next = script[Math.min(requests.length - 1, script.length - 1)] as Scripted;
      let outcome: AttemptOutcome;
      if (next === 'timeout' || next === 'connection_error')
        outcome = { kind: next, message: 'x', latencyMs: 1 };
      else if (typeof next === 'number') outcome = { kind: 'response', status: next, body: '', latencyMs: 1 };
      else
        outcome = {
          kind: 'response',
          status: next.status,
          ...(next.retryAfter === undefined ? {} : { retryAfter: next.retryAfter }),
          body: next.body ?? '',
          latencyMs: 1,
        };
      return outcome;
    },
    close() {},
  };
  return { client, requests };
}

function settingsFor(script: Scripted[], more: Partial<DeliverySettings> = {}) {
  const { client, requests } = scriptedClient(script);
  const sleeps: number[] = [];
  const attempts: AttemptRecord[] = [];
  const retries: RetryNotice[] = [];
  const settings: DeliverySettings = {
    client,
    url: new URL('http://receiver.test/hooks'),
    sign: (id, timestamp) => `v1,${id}@${timestamp}`,
    retrySchedule: [1, 2],
    timeoutMs: 1000,
    userAgent: 'test-agent',
    maxRetryAfterMs: 60_000,
    now: () => 1_700_000_000_000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    isEndpointGone: () => false,
    onAttempt: (attempt) => attempts.push(attempt),
    onRetry: (retry) => retries.push(retry),
    ...more,
  };
  return { settings, requests, sleeps, attempts, retries };
}

const body = Buffer.from('{}');

describe('deliverEvent', () => {
  it('delivers on a 2xx, signing the attempt and recording its start', async () => {
    for (const status of [200, 299]) {
      const { settings, requests, attempts } = settingsFor([status]);
      const result = await deliverEvent(settings, 'msg_1', body);
      expect(result).toEqual({ id: 'msg_1', delivered: true, status, answer: 'none', attempts, gone: false });
      expect(attempts).toEqual([{ status, latencyMs: 1, at: '2023-11-14T22:13:20.000Z' }]);
      expect(requests[0]?.headers).toContain('v1,msg_1@1700000000');
    }
  });

  it('records the status field of the 2xx answer (accepted, quarantined, …)', async () => {
    const quarantined = JSON.stringify({ status: 'quarantined', webhook_id: 'msg_1', errors: [] });
    const { settings } = settingsFor([
      { status: 500, body: '{"status":"accepted"}' },
      { status: 200, body: quarantined },
    ]);
    const result = await deliverEvent(settings, 'msg_1', body);
    expect(result).toMatchObject({ delivered: true, status: 200, answer: 'quarantined' });
    expect(result.attempts).toHaveLength(2);
  });

  it('takes a 4xx as final for an event sent to be refused, but still retries 408, 429 and 5xx', async () => {
    for (const status of [400, 401, 422]) {
      const { settings, sleeps, retries } = settingsFor([status, 200]);
      const result = await deliverEvent(settings, 'msg_1', body, { refusalIsFinal: true });
      expect(result).toMatchObject({ delivered: false, status, gone: false });
      expect(result.attempts).toHaveLength(1);
      expect(sleeps).toEqual([]);
      expect(retries).toEqual([]);
    }
    for (const status of [408, 429, 500]) {
      const { settings, sleeps } = settingsFor([status, 200]);
      const result = await deliverEvent(settings, 'msg_1', body, { refusalIsFinal: true });
      expect(result).toMatchObject({ delivered: true, status: 200 });
      expect(sleeps).toEqual([1000]);
    }
    // Without the flag, a 422 is retried like any other failure.
    const plain = settingsFor([422, 200]);
    expect(await deliverEvent(plain.settings, 'msg_1', body)).toMatchObject({ delivered: true, status: 200 });
  });

  it("leaves each attempt's start empty when asked not to record it", async () => {
    const { settings, attempts } = settingsFor([200], { recordStartTimes: false });
    await deliverEvent(settings, 'msg_1', body);
    expect(attempts[0]?.at).toBe('');
    const recorded = settingsFor([200], { recordStartTimes: true });
    await deliverEvent(recorded.settings, 'msg_1', body);
    expect(recorded.attempts[0]?.at).toBe('2023-11-14T22:13:20.000Z');
  });

  it('counts only a 2xx as delivered, not a 1xx or a 3xx', async () => {
    for (const status of [100, 199, 300]) {
      const { settings } = settingsFor([status], { retrySchedule: [] });
      const result = await deliverEvent(settings, 'msg_1', body);
      expect(result).toMatchObject({ delivered: false, status, gone: false });
    }
  });

  it('retries a 3xx, a 5xx, a timeout or a connection error on the schedule, then gives up', async () => {
    const { settings, sleeps, attempts, retries } = settingsFor([300, 'timeout', 'connection_error']);
    const result = await deliverEvent(settings, 'msg_1', body);
    expect(result).toMatchObject({ delivered: false, status: 'connection_error', gone: false });
    expect(result.attempts.map((a) => a.status)).toEqual([300, 'timeout', 'connection_error']);
    expect(sleeps).toEqual([1000, 2000]);
    expect(attempts).toHaveLength(3);
    expect(attempts.map((a) => a.delayMs)).toEqual([1000, 2000, undefined]);
    expect(retries.map((r) => [r.id, r.retry, r.retries, r.attempt.status])).toEqual([
      ['msg_1', 1, 2, 300],
      ['msg_1', 2, 2, 'timeout'],
    ]);
  });

  it('honours Retry-After only on 429 and 503, up to the cap', async () => {
    const { settings, sleeps } = settingsFor([
      { status: 429, retryAfter: '30' },
      { status: 503, retryAfter: '600' },
      200,
    ]);
    await deliverEvent(settings, 'msg_1', body);
    expect(sleeps).toEqual([30_000, 60_000]);
    const other = settingsFor([{ status: 500, retryAfter: '30' }, 200]);
    await deliverEvent(other.settings, 'msg_1', body);
    expect(other.sleeps).toEqual([1000]);
  });

  it('stops for good on 410 and marks the endpoint gone', async () => {
    const { settings, attempts } = settingsFor([410, 200]);
    const result = await deliverEvent(settings, 'msg_1', body);
    expect(result).toMatchObject({ delivered: false, status: 410, gone: true });
    expect(attempts).toHaveLength(1);
  });

  it('sends nothing once the endpoint is gone', async () => {
    const { settings, requests } = settingsFor([200], { isEndpointGone: () => true });
    const result = await deliverEvent(settings, 'msg_1', body);
    expect(result).toEqual({
      id: 'msg_1',
      delivered: false,
      status: 'endpoint_gone',
      attempts: [],
      gone: false,
    });
    expect(requests).toHaveLength(0);
  });

  it('needs no attempt or retry listener', async () => {
    for (const script of [[200], [410], [500, 200], [500]] as Scripted[][]) {
      const { settings } = settingsFor(script);
      delete settings.onAttempt;
      delete settings.onRetry;
      await expect(deliverEvent(settings, 'msg_1', body)).resolves.toMatchObject({ id: 'msg_1' });
    }
  });
});
