// Sender side of the contract: what the mock sender puts on the wire, intercepted with msw, judged
// by parties independent of the sender's own code: the Standard Webhooks header rules, the
// `standardwebhooks` reference library for the signature, and the generated JSON Schema under
// plain Ajv for the body.
import { docsExamples, loadExamples, send, useHttpTransport } from '@webhook-contracts/mock-sender';
import { useSenderMsw } from '@webhook-contracts/test-kit';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { compileGeneratedSchema, describeAjvErrors } from './support/generatedSchema.js';
import { referenceWebhook, whopSecret, whsecSecret } from './support/referenceWebhook.js';

const TARGET = 'http://receiver.contract.test/webhooks';
const GENERATED = 150;
const SEED = 'contracts-sender';

interface Captured {
  headers: Record<string, string>;
  body: string;
}

// msw intercepts fetch, not the sender's own sockets: the sender runs on its fetch transport here, the
// transport seam being the only difference from the CLI (payloads, signing and retries are shared).
const server = useSenderMsw(useHttpTransport);

/** Answers 200 to every POST at TARGET and keeps what was received. */
function capture(): Captured[] {
  const received: Captured[] = [];
  server.use(
    http.post(TARGET, async ({ request }) => {
      received.push({ headers: Object.fromEntries(request.headers.entries()), body: await request.text() });
      return HttpResponse.json({ status: 'accepted' });
    }),
  );
  return received;
}

const schemas = new Map<string, ReturnType<typeof compileGeneratedSchema>>();
/** The generated standalone schema of an event type, compiled once. */
function schemaFor(type: string): ReturnType<typeof compileGeneratedSchema> {
  let validate = schemas.get(type);
  if (!validate) {
    validate = compileGeneratedSchema(type);
    schemas.set(type, validate);
  }
  return validate;
}

/** Asserts one request against the spec, the reference library and the generated schema. */
function expectConforming(request: Captured, secret: string): void {
  const id = request.headers['webhook-id'];
  const timestamp = request.headers['webhook-timestamp'];
  const signature = request.headers['webhook-signature'];
  expect(id, 'webhook-id header').toMatch(/^msg_[0-9A-Za-z]+$/);
  // Standard Webhooks: integer seconds since the epoch, digits only, close to the send time.
  expect(timestamp, 'webhook-timestamp header').toMatch(/^[1-9]\d{9}$/);
  expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(300);
  // A space-delimited list of `v1,<base64 of a 32-byte HMAC-SHA256>` entries.
  expect(signature, 'webhook-signature header').toMatch(
    /^v1,[A-Za-z0-9+/]+={0,2}( v1,[A-Za-z0-9+/]+={0,2})*$/,
  );
  for (const entry of signature?.split(' ') ?? []) {
    expect(Buffer.from(entry.slice(3), 'base64')).toHaveLength(32);
  }
  expect(request.headers['content-type']).toBe('application/json');

  const verified = referenceWebhook(secret).verify(request.body, {
    'webhook-id': id ?? '',
    'webhook-timestamp': timestamp ?? '',
    'webhook-signature': signature ?? '',
  }) as { id: string };
  expect(verified.id, 'the body id is the webhook-id').toBe(id);

  const body = JSON.parse(request.body) as { type: string };
  const validateEventSchema = schemaFor(body.type);
  expect(validateEventSchema(body), describeAjvErrors(validateEventSchema)).toBe(true);
}

describe("the mock sender's docs examples", () => {
  const examples = docsExamples(loadExamples());

  it('include the docs page, the OpenAPI example and every valid.* file', () => {
    const names = examples.map((e) => e.name);
    expect(names.slice(0, 2)).toEqual(['docs-page', 'openapi-example']);
    expect(names.filter((n) => n.startsWith('valid.')).length).toBeGreaterThanOrEqual(10);
    expect(names.every((n) => !n.startsWith('invalid.') && !n.startsWith('unknown.'))).toBe(true);
  });

  for (const example of examples) {
    it(`sends ${example.event}/${example.name} with Standard Webhooks headers, a verifying signature and a schema-valid body`, async () => {
      const received = capture();
      const summary = await send({
        to: TARGET,
        secret: whsecSecret,
        example: `${example.event}/${example.name}`,
        seed: SEED,
      });

      expect(summary).toMatchObject({ sent: 1, delivered: 1, failed: 0 });
      expect(received).toHaveLength(1);
      const [request] = received as [Captured];
      expectConforming(request, whsecSecret);
      // The sender swaps only the id: every other byte is the file's.
      const original = JSON.parse(example.raw.toString('utf8')) as { id: string };
      expect(request.body).toBe(
        example.raw
          .toString('utf8')
          .replace(JSON.stringify(original.id), JSON.stringify(request.headers['webhook-id'])),
      );
    });
  }
});

describe("the mock sender's generated events", () => {
  it(`sends ${GENERATED} seeded events that each conform, with distinct ids`, async () => {
    const received = capture();
    const summary = await send({
      to: TARGET,
      secret: whsecSecret,
      generate: GENERATED,
      seed: SEED,
      concurrency: 8,
    });

    expect(summary).toMatchObject({ sent: GENERATED, delivered: GENERATED, failed: 0, attempts: GENERATED });
    expect(received).toHaveLength(GENERATED);
    for (const request of received) expectConforming(request, whsecSecret);
    expect(new Set(received.map((r) => r.headers['webhook-id'])).size).toBe(GENERATED);
  });

  it('signs for a Whop ws_ secret so the reference library set up as the Whop docs say verifies it', async () => {
    const received = capture();
    const summary = await send({ to: TARGET, secret: whopSecret, generate: 5, seed: SEED });

    expect(summary.delivered).toBe(5);
    for (const request of received) expectConforming(request, whopSecret);
    // The same bytes signed for a whsec_ secret must not verify: the key really is the ws_ string.
    const [first] = received as [Captured];
    expect(() =>
      referenceWebhook(whsecSecret).verify(first.body, {
        'webhook-id': first.headers['webhook-id'] ?? '',
        'webhook-timestamp': first.headers['webhook-timestamp'] ?? '',
        'webhook-signature': first.headers['webhook-signature'] ?? '',
      }),
    ).toThrow(/signature/i);
  });

  it('carries one signature per secret during a rotation, each verifying for its own secret', async () => {
    const received = capture();
    await send({ to: TARGET, secret: [whsecSecret, whopSecret], generate: 3, seed: SEED });

    expect(received).toHaveLength(3);
    for (const request of received) {
      expect(request.headers['webhook-signature']?.split(' ')).toHaveLength(2);
      expectConforming(request, whsecSecret);
      expectConforming(request, whopSecret);
    }
  });
});
