// The webhook route with v1a (ed25519) keys in its trust list: alone, and beside a v1 secret during a
// migration. Real sockets, the library signing through the one fixture builder.
import { generateKeyPair } from '@webhook-contracts/webhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { ReceiverMetrics } from '../ReceiverMetrics.js';
import { send, signedRequest, testSecret } from '../test-support/signedRequest.js';
import { serveWebhookRouter, type WebhookRouterServer } from '../test-support/webhookRouterServer.js';

const pair = generateKeyPair();
const stranger = generateKeyPair();
const servers: WebhookRouterServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function serve(secret: string) {
  const metrics = new ReceiverMetrics();
  const server = await serveWebhookRouter({ secret, metrics });
  servers.push(server);
  return { ...server, metrics };
}

async function answer(res: Response) {
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('a receiver trusting a whpk_ key', () => {
  it('accepts and stores a delivery signed v1a with the whsk_ key of the pair', async () => {
    const r = await serve(pair.publicKey);
    const request = signedRequest({ secret: pair.signingKey });
    expect(request.headers['webhook-signature']).toMatch(/^v1a,/);
    expect(await answer(await send(r.url, request))).toEqual({
      status: 200,
      body: { status: 'accepted', webhook_id: request.id },
    });
    expect((await r.store.getEvent(request.id))?.webhookId).toBe(request.id);
  });

  it('refuses a v1a delivery signed with another key: 401 no_matching_signature', async () => {
    const r = await serve(pair.publicKey);
    const { status, body } = await answer(await send(r.url, signedRequest({ secret: stranger.signingKey })));
    expect(status).toBe(401);
    expect(body).toMatchObject({ error: { code: 'no_matching_signature' } });
  });

  it('refuses a v1-only header at the precheck: 401 invalid_signature_header naming v1a', async () => {
    const r = await serve(pair.publicKey);
    const { status, body } = await answer(await send(r.url, signedRequest({ secret: testSecret })));
    expect(status).toBe(401);
    expect(body).toMatchObject({
      error: { code: 'invalid_signature_header', message: expect.stringMatching(/no v1a entry/) },
    });
  });

  it('reports the schemes it verifies in webhook_signature_schemes', async () => {
    const r = await serve(pair.publicKey);
    const text = await r.metrics.registry.metrics();
    expect(text).toContain('webhook_signature_schemes{scheme="v1"} 0');
    expect(text).toContain('webhook_signature_schemes{scheme="v1a"} 1');
  });
});

describe('a receiver migrating from v1 to v1a (WEBHOOK_SECRET=whsec_…,whpk_…)', () => {
  it('accepts v1, v1a, and a header carrying both', async () => {
    const r = await serve(`${testSecret},${pair.publicKey}`);
    for (const secret of [testSecret, pair.signingKey, `${testSecret},${pair.signingKey}`]) {
      const request = signedRequest({ secret });
      expect((await send(r.url, request)).status, secret.slice(0, 5)).toBe(200);
    }
    const text = await r.metrics.registry.metrics();
    expect(text).toContain('webhook_signature_schemes{scheme="v1"} 1');
    expect(text).toContain('webhook_signature_schemes{scheme="v1a"} 1');
  });
});
