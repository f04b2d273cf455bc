import { createServer, IncomingMessage, type Server, ServerResponse } from 'node:http';
import { type AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type BearerFailure, bearerAuth, bearerFailures, bearerTokenPattern } from './bearerAuth.js';

const token = 'bearer-test-token-0123456789';
const naming = { setting: 'TEST_API_TOKEN', api: 'test API', server: 'test server' };
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
});

/** A server whose every path is behind bearerAuth; it answers 200 "in" when let through. */
async function guarded(onRefused?: (reason: BearerFailure) => void) {
  const guard = bearerAuth({ token, ...naming, ...(onRefused === undefined ? {} : { onRefused }) });
  const server = createServer((req, res) => guard(req, res, () => res.end('in')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
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

describe('bearerAuth', () => {
  it('lets the configured token through, whatever the case of "Bearer" and the spaces around it', async () => {
    const call = await guarded();
    for (const header of [
      `Bearer ${token}`,
      `bearer ${token}`,
      `BEARER ${token}`,
      `BEARER  ${token}`,
      `Bearer   ${token}`,
      `Bearer ${token}  `,
    ]) {
      expect(await call(header), header).toMatchObject({ status: 200, text: 'in' });
    }
  });

  it('answers 401 missing_token with a Bearer challenge naming the setting when no bearer token is sent', async () => {
    const call = await guarded();
    for (const header of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      token,
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
          message: 'Send the test API token as "Authorization: Bearer <TEST_API_TOKEN>"',
        },
      });
    }
  });

  it('answers 401 invalid_token for any other token, however close to the right one', async () => {
    const call = await guarded();
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
          message: 'The bearer token is not the TEST_API_TOKEN this test server runs with',
        },
      });
    }
  });

  it('tells onRefused why each 401 was given, and nothing when the token matches', async () => {
    const reasons: BearerFailure[] = [];
    const call = await guarded((reason) => reasons.push(reason));
    await call();
    await call('');
    await call(`Basic ${token}`);
    await call(`Bearer ${token} extra`);
    await call('Bearer not-it');
    await call(`Bearer ${token}`);
    expect(reasons).toEqual(['missing', 'malformed', 'malformed', 'malformed', 'wrong']);
    expect(bearerFailures).toEqual(['missing', 'malformed', 'wrong']);
  });

  it('accepts a configured token of 16 to 512 visible ASCII characters and nothing else', () => {
    for (const ok of ['!'.repeat(16), '~'.repeat(512), token]) {
      expect(bearerTokenPattern.test(ok)).toBe(true);
      expect(() => bearerAuth({ token: ok, ...naming })).not.toThrow();
    }
    for (const bad of [
      '',
      'a',
      'x'.repeat(15),
      'y'.repeat(513),
      'abc def ghi jkl mno',
      'tökén-0123456789abc',
    ]) {
      expect(bearerTokenPattern.test(bad), bad).toBe(false);
      expect(() => bearerAuth({ token: bad, ...naming })).toThrow(
        new RangeError(
          'the test API token must be 16-512 visible ASCII characters without spaces (e.g. `openssl rand -hex 32`)',
        ),
      );
    }
  });

  // Node trims whitespace around header values before an app sees them; a caller that builds its
  // own request (or another server) may not, and trailing whitespace is still not part of the token.
  it('ignores whitespace after the token, but not other characters, when called directly', () => {
    const guard = bearerAuth({ token, ...naming });
    const outcome = (authorization: string) => {
      let passed = false;
      const res = new ServerResponse(new IncomingMessage(new Socket()));
      guard({ headers: { authorization } } as IncomingMessage, res, () => {
        passed = true;
      });
      return passed ? 'next' : res.statusCode;
    };
    expect(outcome(`Bearer ${token}\t `)).toBe('next');
    expect(outcome(`Bearer ${token}\tx`)).toBe(401);
  });
});
