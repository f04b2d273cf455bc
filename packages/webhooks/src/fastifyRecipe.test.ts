// The README's Fastify 5 recipe on a real Fastify server and a real socket: inside a scoped plugin
// the JSON parser is replaced by one that keeps the exact bytes, so unwrap verifies what was
// signed; a tampered body is refused, an off-contract one quarantined, and the app's other routes
// keep Fastify's own JSON parsing. A control shows the trap: the default parser in front of the
// webhook route leaves a re-serialised body that no longer matches its signature.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookPayloadError, WebhookVerificationError } from './errors.js';
import { signedDelivery } from './signedDelivery.js';
import { docsExampleEvent } from './test-support/fixtures.js';
import { Webhook } from './Webhook.js';

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

interface Seen {
  events: { id: string; type: string }[];
  quarantined: string[];
}

/** The recipe, as the README writes it, with enqueue and quarantine recording what they got. */
function recipeApp(seen: Seen): FastifyInstance {
  const webhook = new Webhook(secret);
  const app = Fastify();
  app.register(async (scope) => {
    const keepBytes = (_req: unknown, body: Buffer, done: (e: null, b: Buffer) => void) => done(null, body);
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, keepBytes);
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, keepBytes);
    scope.post('/webhooks/whop', async (req, reply) => {
      try {
        const delivery = webhook.unwrap(req.headers, req.body as Buffer);
        if (delivery.kind === 'event') seen.events.push({ id: delivery.id, type: delivery.event.type });
        return { status: 'accepted' };
      } catch (error) {
        if (error instanceof WebhookVerificationError)
          return reply.code(401).send({ error: { code: error.code, message: error.message } });
        if (error instanceof WebhookPayloadError) {
          seen.quarantined.push(error.delivery.id);
          return { status: 'quarantined', webhook_id: error.delivery.id };
        }
        throw error;
      }
    });
  });
  app.post('/api/echo', async (req) => ({ parsed: req.body }));
  return app;
}

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function listen(app: FastifyInstance): Promise<string> {
  apps.push(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

function post(url: string, body: Buffer | string, headers: Record<string, string>) {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

describe('the Fastify 5 recipe', () => {
  it('is the one the README shows: the JSON parser replaced in a scoped plugin', () => {
    expect(readme).toContain(
      'const keepBytes = (_req: unknown, body: Buffer, done: (e: null, b: Buffer) => void) => done(null, body);',
    );
    expect(readme).toContain(
      "scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, keepBytes);",
    );
    expect(readme).toContain("scope.addContentTypeParser('*', { parseAs: 'buffer' }, keepBytes);");
  });

  it('verifies signed deliveries over the exact bytes, with or without a JSON content-type', async () => {
    const seen: Seen = { events: [], quarantined: [] };
    const base = await listen(recipeApp(seen));
    const event = docsExampleEvent();
    // Bytes a JSON.parse + JSON.stringify round trip would change: spaces and key order.
    const body = Buffer.from(`{ "type" : "${event.type}", ${JSON.stringify(event).slice(1)}`);
    const signed = signedDelivery({ secret, payload: body, id: 'msg_fastify_1' });
    const answer = await post(`${base}/webhooks/whop`, signed.body, signed.headers);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ status: 'accepted' });
    const plain = signedDelivery({ secret, payload: event, id: 'msg_fastify_2' });
    const untyped = await fetch(`${base}/webhooks/whop`, {
      method: 'POST',
      headers: { ...plain.headers, 'content-type': 'text/plain' },
      body: plain.body,
    });
    expect(untyped.status).toBe(200);
    expect(seen.events).toEqual([
      { id: 'msg_fastify_1', type: event.type },
      { id: 'msg_fastify_2', type: event.type },
    ]);
  });

  it('refuses a tampered body with 401 no_matching_signature and processes nothing', async () => {
    const seen: Seen = { events: [], quarantined: [] };
    const base = await listen(recipeApp(seen));
    const signed = signedDelivery({ secret, payload: docsExampleEvent(), id: 'msg_fastify_3' });
    const tampered = Buffer.from(signed.body.toString('utf8').replace('"completed"', '"completed" '));
    expect(tampered.equals(signed.body)).toBe(false);
    const answer = await post(`${base}/webhooks/whop`, tampered, signed.headers);
    expect(answer.status).toBe(401);
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('no_matching_signature');
    expect(seen).toEqual({ events: [], quarantined: [] });
  });

  it('quarantines an authentic off-contract body and keeps JSON parsing on the other routes', async () => {
    const seen: Seen = { events: [], quarantined: [] };
    const base = await listen(recipeApp(seen));
    const broken = { ...docsExampleEvent(), data: { nonsense: true } };
    const signed = signedDelivery({ secret, payload: broken, id: 'msg_fastify_4' });
    const answer = await post(`${base}/webhooks/whop`, signed.body, signed.headers);
    expect(await answer.json()).toEqual({ status: 'quarantined', webhook_id: 'msg_fastify_4' });
    expect(seen.quarantined).toEqual(['msg_fastify_4']);
    const echo = await post(`${base}/api/echo`, '{"a": 1}', {});
    expect(await echo.json()).toEqual({ parsed: { a: 1 } });
  });

  it("fails without the plugin: Fastify's default parser leaves nothing to verify", async () => {
    const webhook = new Webhook(secret);
    const app = Fastify();
    app.post('/webhooks/whop', async (req, reply) => {
      try {
        webhook.unwrap(req.headers, JSON.stringify(req.body));
        return { status: 'accepted' };
      } catch (error) {
        if (error instanceof WebhookVerificationError) return reply.code(401).send({ code: error.code });
        throw error;
      }
    });
    const base = await listen(app);
    const event = docsExampleEvent();
    const body = Buffer.from(`{ "type" : "${event.type}", ${JSON.stringify(event).slice(1)}`);
    const signed = signedDelivery({ secret, payload: body, id: 'msg_fastify_5' });
    const answer = await post(`${base}/webhooks/whop`, signed.body, signed.headers);
    expect(answer.status).toBe(401);
    expect(await answer.json()).toEqual({ code: 'no_matching_signature' });
  });
});
