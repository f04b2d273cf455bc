import { IncomingMessage, type Server, ServerResponse } from 'node:http';
import { type AddressInfo, Socket } from 'node:net';
import { type BearerFailure, bearerTokenPattern } from '@webhook-contracts/http-kit';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { readApiAuth } from './readApiAuth.js';

const token = 'bearer-test-token-0123456789';
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
});

/** An app whose one route is behind readApiAuth(configured); it answers 200 "in" when let through. */
async function guarded(configured: string | null, onRefused?: (reason: BearerFailure) => void) {
  const app = express();
  app.use(readApiAuth(configured, onRefused));
  app.get('/thing', (_req, res) => {
    res.send('in');
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/thing`;
  return async (authorization?: string) => {
    const res = await fetch(url, authorization === undefined ? {} : { headers: { authorization } });
    const text = await res.text();
    return {
      status: res.status,
      challenge: res.headers.get('www-authenticate'),
      text,
      error:
        res.status === 200
          ? undefined
          : (JSON.parse(text) as { error: { code: string; message: string } }).error,
    };
  };
}

describe('readApiAuth', () => {
  it('lets the configured token through, whatever the case of "Bearer" and the spaces around it', async () => {
    const call = await guarded(token);
    for (const header of [
      `Bearer ${token}`,
      `bearer ${token}`,
      `BEARER ${token}`,
      `Bearer   ${token}`,
      `Bearer ${token}  `,
    ]) {
      expect(await call(header), header).toMatchObject({ status: 200, text: 'in' });
    }
  });

  it('answers 401 missing_token with a Bearer challenge when no bearer token is sent', async () => {
    const call = await guarded(token);
    for (const header of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      `Basic ${token}`,
      `xBearer ${token}`,
      `Bearer${token}`,
      `Bearer ${token} extra`,
    ]) {
      expect(await call(header), String(header)).toEqual({
        status: 401,
        challenge: 'Bearer',
        text: expect.any(String),
        error: {
          code: 'missing_token',
          message: 'Send the read API token as "Authorization: Bearer <RECEIVER_API_TOKEN>"',
        },
      });
    }
  });

  it('answers 401 invalid_token for any other token, however close to the right one', async () => {
    const call = await guarded(token);
    for (const header of [
      'Bearer x',
      `Bearer ${token}x`,
      `Bearer ${token.slice(0, -1)}`,
      `Bearer ${token.toUpperCase()}`,
    ]) {
      expect(await call(header), header).toEqual({
        status: 401,
        challenge: 'Bearer error="invalid_token"',
        text: expect.any(String),
        error: {
          code: 'invalid_token',
          message: 'The bearer token is not the RECEIVER_API_TOKEN this receiver runs with',
        },
      });
    }
  });

  it('turns the API off with 403 read_api_disabled when no token is configured, even for a token sent', async () => {
    const call = await guarded(null);
    for (const header of [undefined, `Bearer ${token}`]) {
      const answer = await call(header);
      expect(answer.status).toBe(403);
      expect(answer.challenge).toBeNull();
      expect(answer.error).toEqual({
        code: 'read_api_disabled',
        message:
          'The read API is off: start the receiver with RECEIVER_API_TOKEN (or --api-token) set to enable it',
      });
    }
  });
});

describe('readApiAuth refusals', () => {
  it('tells onRefused why each 401 was given, and nothing when the token matches or the API is off', async () => {
    const reasons: BearerFailure[] = [];
    const call = await guarded(token, (reason) => reasons.push(reason));
    await call();
    await call('');
    await call(`Basic ${token}`);
    await call(`Bearer ${token} extra`);
    await call('Bearer not-it');
    await call(`Bearer ${token}`);
    expect(reasons).toEqual(['missing', 'malformed', 'malformed', 'malformed', 'wrong']);
    const off = await guarded(null, (reason) => reasons.push(reason));
    expect((await off()).status).toBe(403);
    expect(reasons).toHaveLength(5);
  });

  it('accepts a configured token of 16 to 512 visible ASCII characters and nothing else', () => {
    for (const ok of ['!'.repeat(16), '~'.repeat(512), token]) {
      expect(bearerTokenPattern.test(ok)).toBe(true);
      expect(() => readApiAuth(ok)).not.toThrow();
    }
    for (const bad of ['a', 'x'.repeat(15), 'y'.repeat(513), 'abc def ghi jkl mno', 'tökén-0123456789abc']) {
      expect(bearerTokenPattern.test(bad), bad).toBe(false);
      expect(() => readApiAuth(bad)).toThrow(
        new RangeError(
          'the read API token must be 16-512 visible ASCII characters without spaces (e.g. `openssl rand -hex 32`)',
        ),
      );
    }
  });
});

describe('readApiAuth called directly', () => {
  // Node trims whitespace around header values before an app sees them; a caller that builds its
  // own request (or another server) may not, and trailing whitespace is still not part of the token.
  it('ignores whitespace after the token, but not other characters', () => {
    const guard = readApiAuth(token);
    const outcome = (authorization: string) => {
      let passed = false;
      const res = new ServerResponse(new IncomingMessage(new Socket()));
      guard({ headers: { authorization } } as never, res as never, () => {
        passed = true;
      });
      return passed ? 'next' : res.statusCode;
    };
    expect(outcome(`Bearer ${token}\t `)).toBe('next');
    expect(outcome(`Bearer ${token}\tx`)).toBe(401);
  });
});
