import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sendError } from './sendError.js';
import { writeJson } from './writeJson.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

async function answerOf(listener: RequestListener) {
  server = createServer(listener);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('writeJson', () => {
  it('answers with the status, JSON content type and the byte length of non-ASCII text', async () => {
    const answer = await answerOf((_req, res) => {
      res.setHeader('retry-after', '7');
      writeJson(res, 202, { name: 'Zoë ✓' });
    });
    expect(answer.status).toBe(202);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(answer.headers.get('content-length')).toBe(String(Buffer.byteLength('{"name":"Zoë ✓"}')));
    expect(answer.headers.get('retry-after')).toBe('7');
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
    await new Promise((resolve) => server?.close(resolve));
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
