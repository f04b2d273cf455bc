import type { IncomingHttpHeaders } from 'node:http';
import { type LocalServer, listenLocally } from '@webhook-contracts/test-kit';
import { Webhook } from '@webhook-contracts/webhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { forwardMessage } from '../Destination.js';
import { HttpDestination, parseRetryAfter } from './HttpDestination.js';

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const body = Buffer.from('{"id":"evt_1","type":"payment.succeeded","timestamp":"2026-02-03T04:05:06.000Z"}');

interface Seen {
  headers: IncomingHttpHeaders;
  body: Buffer;
}

describe('HttpDestination', () => {
  let server: LocalServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** A local endpoint answering `status` (and `headers`), keeping each request it got. */
  async function endpoint(
    status: number,
    headers: Record<string, string> = {},
    delayMs = 0,
  ): Promise<Seen[]> {
    const seen: Seen[] = [];
    server = await listenLocally((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ headers: req.headers, body: Buffer.concat(chunks) });
        setTimeout(() => res.writeHead(status, headers).end('answer'), delayMs);
      });
    });
    return seen;
  }

  it('posts the exact bytes re-signed with its secret (same webhook-id, fresh timestamp) and CloudEvents headers; a 2xx is success', async () => {
    const seen = await endpoint(204);
    const now = Date.UTC(2026, 5, 1);
    const destination = new HttpDestination({
      url: `${server!.url}/in`,
      secret,
      types: null,
      timeoutMs: 2000,
      now: () => now,
    });
    const result = await destination.publish(
      forwardMessage({ webhookId: 'msg_http_1', type: 'payment.succeeded', body }),
    );
    expect(result).toEqual({ ok: true, duplicate: false });
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request!.body.equals(body)).toBe(true);
    expect(request!.headers['webhook-id']).toBe('msg_http_1');
    expect(request!.headers['webhook-timestamp']).toBe(String(now / 1000));
    const verified = new Webhook(secret, { now: () => now }).verify(
      request!.headers as Record<string, string>,
      request!.body,
    );
    expect(verified.id).toBe('msg_http_1');
    expect([
      request!.headers['ce-id'],
      request!.headers['ce-type'],
      request!.headers['ce-source'],
      request!.headers['ce-time'],
      request!.headers['ce-specversion'],
      request!.headers['content-type'],
    ]).toEqual([
      'msg_http_1',
      'payment.succeeded',
      'https://whop.com/webhooks',
      '2026-02-03T04:05:06.000Z',
      '1.0',
      'application/json',
    ]);
  });

  it('stops on 410, honours Retry-After, and retries any other answer', async () => {
    await endpoint(410);
    const gone = new HttpDestination({ url: server!.url, secret, types: null, timeoutMs: 2000 });
    expect(await gone.publish(forwardMessage({ webhookId: 'm', type: 't', body }))).toEqual({
      ok: false,
      stop: true,
      error: 'HTTP 410 from the endpoint',
    });
    await server!.close();
    await endpoint(503, { 'retry-after': '7' });
    const busy = new HttpDestination({ url: server!.url, secret, types: null, timeoutMs: 2000 });
    expect(await busy.publish(forwardMessage({ webhookId: 'm', type: 't', body }))).toEqual({
      ok: false,
      error: 'HTTP 503 from the endpoint',
      retryAfterMs: 7000,
    });
    await server!.close();
    await endpoint(302, { location: 'http://127.0.0.1:1/elsewhere' });
    const moved = new HttpDestination({ url: server!.url, secret, types: null, timeoutMs: 2000 });
    expect(await moved.publish(forwardMessage({ webhookId: 'm', type: 't', body }))).toEqual({
      ok: false,
      error: 'HTTP 302 from the endpoint',
    });
  });

  it('gives up on an endpoint that does not answer within its time limit', async () => {
    await endpoint(200, {}, 2000);
    const slow = new HttpDestination({ url: server!.url, secret, types: null, timeoutMs: 200 });
    const started = Date.now();
    const result = await slow.publish(forwardMessage({ webhookId: 'm', type: 't', body }));
    expect(result.ok).toBe(false);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('reads Retry-After as seconds or an HTTP date, bounded', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(new Date(now + 30_000).toUTCString(), now)).toBe(30_000);
    expect(parseRetryAfter('999999999', now)).toBe(3_600_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
