// Small node:http receivers for conformance tests: one compliant (verify, dedup, accept unknown
// types) and a few deliberately broken ones.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLocally } from '@webhook-contracts/test-kit';
import { Webhook, WebhookPayloadError, WebhookVerificationError } from '@webhook-contracts/webhooks';

export type Behaviour =
  | 'compliant'
  | 'accepts-any-signature'
  | 'answers-500-to-bad-input'
  | 'rejects-duplicates'
  /** Throws on a repeated webhook-id (a unique-key violation left uncaught): 500. */
  | 'answers-500-to-duplicates'
  /** Parses JSON first and verifies `JSON.stringify` of the result, as `express.json()` before the route does. */
  | 'json-first'
  /** Mounted at another path: every request gets 404. */
  | 'wrong-path';

export interface TestReceiver {
  url: string;
  /** Every webhook-id accepted so far, in order. */
  accepted: string[];
  /** The `type` of each accepted event, in the same order. */
  acceptedTypes: string[];
  /** The bodies of the accepted deliveries, parsed, in the same order. */
  payloads: unknown[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function answer(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function parseOrRaw(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return body.toString('utf8');
  }
}

export async function startReceiver(secret: string, behaviour: Behaviour): Promise<TestReceiver> {
  const webhook = new Webhook(secret);
  const seen = new Set<string>();
  const accepted: string[] = [];
  const acceptedTypes: string[] = [];
  const payloads: unknown[] = [];
  const server = createServer(async (req, res) => {
    let body = await readBody(req);
    if (behaviour === 'wrong-path')
      return answer(res, 404, { error: { code: 'not_found', message: 'no route' } });
    if (behaviour === 'json-first') {
      try {
        body = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8'))));
      } catch {
        return answer(res, 400, { error: { code: 'bad_json', message: 'not JSON' } });
      }
    }
    if (behaviour === 'accepts-any-signature') {
      accepted.push(String(req.headers['webhook-id']));
      payloads.push(parseOrRaw(body));
      return answer(res, 200, { ok: true });
    }
    try {
      const delivery = webhook.unwrap(req.headers, body);
      if (seen.has(delivery.id)) {
        if (behaviour === 'rejects-duplicates')
          return answer(res, 409, { error: { code: 'duplicate', message: 'seen' } });
        if (behaviour === 'answers-500-to-duplicates')
          return answer(res, 500, { error: { code: 'unique_violation', message: 'duplicate key' } });
        return answer(res, 200, { duplicate: true });
      }
      seen.add(delivery.id);
      accepted.push(delivery.id);
      const parsed = parseOrRaw(delivery.body);
      acceptedTypes.push(String((parsed as { type?: unknown } | undefined)?.type));
      payloads.push(parsed);
      answer(res, 200, { ok: true });
    } catch (error) {
      if (behaviour === 'answers-500-to-bad-input')
        return answer(res, 500, { error: { code: 'boom', message: 'oops' } });
      if (error instanceof WebhookVerificationError || error instanceof WebhookPayloadError) {
        return answer(res, error.status, { error: { code: error.code, message: error.message } });
      }
      answer(res, 500, { error: { code: 'internal', message: String(error) } });
    }
  });
  const local = await listenLocally(server);
  return { url: `${local.url}/webhooks`, accepted, acceptedTypes, payloads, close: local.close };
}
