// `mock-sender serve`: the sender as an HTTP service for staging pipelines. A pipeline step POSTs
// what it would pass on the command line and gets the summary back; GET /deliveries shows what
// happened recently. Bearer auth when a token is configured.
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { WebhookConfigError } from '@webhook-contracts/webhooks';
import { check } from '../check.js';
import { SenderConfigError } from '../errors.js';
import { resolveSecrets } from '../secrets.js';
import { send } from '../send.js';
import { DeliveryLog } from './DeliveryLog.js';
import { parseCheckRequest, parseSendRequest } from './parseRequestOptions.js';

export interface SenderServerOptions {
  /** Require `Authorization: Bearer <token>` on every route but /healthz. */
  token?: string;
  /** Environment to read WEBHOOK_SECRET from when a request names no secret (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** How many recent deliveries GET /deliveries keeps (default 1000). */
  historySize?: number;
  /** Largest `generate` a request may ask for (default 100 000). */
  maxGenerate?: number;
}

const MAX_BODY_BYTES = 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown[],
  ) {
    super(message);
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new HttpError(
        413,
        'body_too_large',
        'the request body exceeds 1 MiB: send options, not payloads',
      );
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'the request body is not JSON: send an object of options');
  }
}

function authorized(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Builds the serve HTTP server (not yet listening).
 *
 * @example
 * const server = createSenderServer({ token: process.env.SENDER_API_TOKEN });
 * server.listen(4000);
 */
export function createSenderServer(options: SenderServerOptions = {}): Server {
  const log = new DeliveryLog(options.historySize ?? 1000);
  const env = options.env ?? process.env;
  const maxGenerate = options.maxGenerate ?? 100_000;
  const secretsFor = (given: string | string[] | undefined) =>
    given === undefined
      ? resolveSecrets(undefined, env)
      : typeof given === 'string'
        ? resolveSecrets(given, {})
        : given;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://mock-sender');
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /healthz') return json(res, 200, { status: 'ok' });
    if (options.token !== undefined && !authorized(req, options.token)) {
      res.setHeader('www-authenticate', 'Bearer');
      throw new HttpError(
        401,
        'unauthorized',
        'missing or wrong bearer token: send Authorization: Bearer $SENDER_API_TOKEN',
      );
    }
    switch (route) {
      case 'POST /send': {
        const { secret, ...request } = parseSendRequest(await readJson(req));
        if (request.generate !== undefined && request.generate > maxGenerate) {
          throw new SenderConfigError(
            'invalid_option',
            `generate is limited to ${maxGenerate} per request: split the run`,
          );
        }
        const summary = await send({ ...request, secret: secretsFor(secret), onDelivery: (d) => log.add(d) });
        return json(res, 200, summary);
      }
      case 'POST /check': {
        const { secret, ...request } = parseCheckRequest(await readJson(req));
        return json(res, 200, await check({ ...request, secret: secretsFor(secret) }));
      }
      case 'GET /deliveries': {
        const limitParam = url.searchParams.get('limit');
        const limit = limitParam === null ? undefined : Number(limitParam);
        if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
          throw new HttpError(400, 'invalid_option', 'limit must be a positive integer');
        }
        return json(res, 200, { deliveries: log.list(limit) });
      }
      default: {
        const known = ['GET /healthz', 'POST /send', 'POST /check', 'GET /deliveries'];
        const samePath = known.filter((r) => r.endsWith(` ${url.pathname}`));
        if (samePath.length > 0)
          throw new HttpError(405, 'method_not_allowed', `use ${samePath.join(' or ')}`);
        throw new HttpError(404, 'not_found', `no route ${route}: the routes are ${known.join(', ')}`);
      }
    }
  };

  return createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      if (error instanceof HttpError) {
        return json(res, error.status, {
          error: {
            code: error.code,
            message: error.message,
            ...(error.details ? { details: error.details } : {}),
          },
        });
      }
      if (error instanceof SenderConfigError) {
        return json(res, 400, {
          error: {
            code: error.code,
            message: error.message,
            ...(error.details ? { details: error.details } : {}),
          },
        });
      }
      if (error instanceof WebhookConfigError) {
        return json(res, 400, { error: { code: error.code, message: error.message } });
      }
      json(res, 500, {
        error: { code: 'internal_error', message: error instanceof Error ? error.message : String(error) },
      });
    });
  });
}
