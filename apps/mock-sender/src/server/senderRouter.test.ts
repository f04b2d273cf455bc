import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpError, sendHttpError, writeJson } from '@webhook-contracts/http-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { type Middleware, requestUrl, type SenderRouterOptions, senderRouter } from './senderRouter.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

const onError: SenderRouterOptions['onError'] = (error, _req, res) => {
  if (error instanceof HttpError) sendHttpError(res, error);
  else writeJson(res, 500, { error: { code: 'internal_error', message: String(error) } });
};

async function serve(options: Partial<SenderRouterOptions>): Promise<string> {
  server = createServer(
    senderRouter({ openRoutes: {}, middleware: [], routes: {}, onError, answerWriteMs: 30_000, ...options }),
  );
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const body = async (res: Response) => ({ status: res.status, body: await res.json() });

describe('senderRouter', () => {
  it('answers open routes before any middleware, then runs the middleware in order before the routes', async () => {
    const seen: string[] = [];
    const step =
      (name: string): Middleware =>
      (_req, _res, next) => {
        seen.push(name);
        next();
      };
    const base = await serve({
      openRoutes: { 'GET /healthz': (_req, res) => writeJson(res, 200, { status: 'ok' }) },
      middleware: [step('first'), step('second')],
      routes: {
        'GET /things': (_req, res, url) => writeJson(res, 200, { limit: url.searchParams.get('limit') }),
      },
    });
    expect(await body(await fetch(`${base}/healthz`))).toEqual({ status: 200, body: { status: 'ok' } });
    expect(seen).toEqual([]);
    expect(await body(await fetch(`${base}/things?limit=2`))).toEqual({ status: 200, body: { limit: '2' } });
    expect(seen).toEqual(['first', 'second']);
  });

  it('stops at a middleware that answers, and answers an error it throws or passes to next', async () => {
    const base = await serve({
      middleware: [
        (req, res, next) => {
          if (req.url === '/answered') return writeJson(res, 200, { by: 'middleware' });
          if (req.url === '/thrown') throw new HttpError(421, 'host_not_allowed', 'no');
          if (req.url === '/passed') return next(new HttpError(403, 'refused', 'no'));
          next();
        },
      ],
      routes: { 'GET /answered': (_req, res) => writeJson(res, 200, { by: 'route' }) },
    });
    expect(await body(await fetch(`${base}/answered`))).toEqual({ status: 200, body: { by: 'middleware' } });
    expect((await fetch(`${base}/thrown`)).status).toBe(421);
    expect(await body(await fetch(`${base}/passed`))).toEqual({
      status: 403,
      body: { error: { code: 'refused', message: 'no' } },
    });
  });

  it('gives a /:id route the rest of the path, and its errors to onError', async () => {
    const base = await serve({
      routes: {
        'GET /runs/:id': async (_req, res, _url, id) => {
          if (id === 'bad') throw new HttpError(400, 'invalid_run_id', 'bad id');
          writeJson(res, 200, { id });
        },
      },
    });
    expect(await body(await fetch(`${base}/runs/run_%41b`))).toEqual({
      status: 200,
      body: { id: 'run_%41b' },
    });
    expect((await fetch(`${base}/runs/bad`)).status).toBe(400);
  });

  it('answers 405 naming the methods of a known path, and 404 naming every route, open ones included', async () => {
    const base = await serve({
      openRoutes: { 'GET /healthz': (_req, res) => writeJson(res, 200, {}) },
      routes: {
        'POST /send': (_req, res) => writeJson(res, 200, {}),
        'GET /runs/:id': (_req, res) => writeJson(res, 200, {}),
        'DELETE /runs/:id': (_req, res) => writeJson(res, 200, {}),
      },
    });
    expect(await body(await fetch(`${base}/send`))).toEqual({
      status: 405,
      body: { error: { code: 'method_not_allowed', message: 'use POST /send' } },
    });
    expect(await body(await fetch(`${base}/runs/x`, { method: 'POST' }))).toEqual({
      status: 405,
      body: { error: { code: 'method_not_allowed', message: 'use GET /runs/:id or DELETE /runs/:id' } },
    });
    expect(await body(await fetch(`${base}/healthz`, { method: 'DELETE' }))).toMatchObject({ status: 405 });
    expect(await body(await fetch(`${base}/nope`))).toEqual({
      status: 404,
      body: {
        error: {
          code: 'not_found',
          message:
            'no route GET /nope: the routes are GET /healthz, POST /send, GET /runs/:id, DELETE /runs/:id',
        },
      },
    });
  });

  it('closes the connection of a client that does not read its answer within answerWriteMs', async () => {
    const big = 'x'.repeat(8 * 1024 * 1024);
    const base = await serve({
      routes: { 'GET /big': (_req, res) => writeJson(res, 200, { big }) },
      answerWriteMs: 200,
    });
    const { request } = await import('node:http');
    const outcome = await new Promise<string>((resolve, reject) => {
      const req = request(`${base}/big`, (res) => {
        res.pause();
        res.on('close', () => resolve(res.complete ? 'complete' : 'cut'));
        // Read again only after the deadline has passed.
        setTimeout(() => res.resume(), 1500);
      });
      req.on('error', reject);
      req.end();
    });
    expect(outcome).toBe('cut');
  });
});

describe('requestUrl', () => {
  it('parses the request target, and refuses one that is not a path with 400 invalid_request', () => {
    expect(requestUrl({ url: '/deliveries?limit=3' } as never).searchParams.get('limit')).toBe('3');
    expect(() => requestUrl({ url: 'http://[' } as never)).toThrow(
      expect.objectContaining({ status: 400, code: 'invalid_request' }),
    );
  });
});
