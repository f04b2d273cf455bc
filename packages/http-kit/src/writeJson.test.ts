import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from './HttpError.js';
import { sendError } from './sendError.js';
import { sendHttpError } from './sendHttpError.js';
import { setNoStoreHeaders } from './setNoStoreHeaders.js';
import { writeJson } from './writeJson.js';

let server: Server | undefined;
async function closeServer() {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
}
afterEach(closeServer);

async function answerOf(listener: RequestListener) {
  await closeServer();
  server = createServer(listener);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('writeJson', () => {
  it('answers with the status, JSON content type and the byte length of non-ASCII text', async () => {
    const answer = await answerOf((_req, res) => {
      res.setHeader('retry-after', '7');
      writeJson(res, 202, { name: 'Zoë ✓' }, { location: '/runs/1' });
    });
    expect(answer.status).toBe(202);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(answer.headers.get('content-length')).toBe(String(Buffer.byteLength('{"name":"Zoë ✓"}')));
    expect(answer.headers.get('retry-after')).toBe('7');
    expect(answer.headers.get('location')).toBe('/runs/1');
    expect(answer.text).toBe('{"name":"Zoë ✓"}');
  });

  it('does nothing once an answer has started', async () => {
    const answer = await answerOf((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first');
      writeJson(res, 500, { late: true });
      res.end();
    });
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('first');
  });
});

describe('sendError', () => {
  it('writes the one error shape, with details only when given', async () => {
    const plain = await answerOf((_req, res) => sendError(res, 404, 'not_found', 'No such thing'));
    expect(plain.status).toBe(404);
    expect(JSON.parse(plain.text)).toEqual({ error: { code: 'not_found', message: 'No such thing' } });
    const detailed = await answerOf((_req, res) =>
      sendError(res, 422, 'contract_violation', 'Off contract', [{ pointer: '/a', message: 'bad' }]),
    );
    expect(JSON.parse(detailed.text)).toEqual({
      error: {
        code: 'contract_violation',
        message: 'Off contract',
        details: [{ pointer: '/a', message: 'bad' }],
      },
    });
  });
});

describe('sendHttpError', () => {
  it('answers the status, the headers and the body of an HttpError, keeping the no-store headers set before', async () => {
    const error = new HttpError(429, 'too_many_runs', 'retry later', {
      details: [{ field: 'x' }],
      headers: { 'retry-after': '5' },
      cause: new Error('underneath'),
    });
    expect((error.cause as Error).message).toBe('underneath');
    const answer = await answerOf((_req, res) => {
      setNoStoreHeaders(res);
      sendHttpError(res, error);
    });
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBe('5');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(JSON.parse(answer.text)).toEqual({
      error: { code: 'too_many_runs', message: 'retry later', details: [{ field: 'x' }] },
    });
  });
});
