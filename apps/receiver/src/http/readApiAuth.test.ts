// The read API's use of the kit's bearer check: its names in the refusals, the API switched off
// without a token, and the reasons counted. How headers are parsed and compared is tested with the
// check itself (packages/http-kit).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BearerFailure, bearerTokenPattern } from '@webhook-contracts/http-kit';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { readApiAuth } from './readApiAuth.js';

const token = 'bearer-test-token-0123456789';
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
});

/** GET /thing behind readApiAuth(configured): the status, the challenge and the body's text. */
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
    const res = await fetch(url, { headers: authorization === undefined ? {} : { authorization } });
    return [res.status, res.headers.get('www-authenticate'), await res.text()] as const;
  };
}

const errorText = (code: string, message: string) => JSON.stringify({ error: { code, message } });

describe('readApiAuth', () => {
  it('lets the configured token through', async () => {
    const call = await guarded(token);
    expect(await call(`bearer ${token}`)).toEqual([200, null, 'in']);
  });

  it('answers 401 missing_token, naming RECEIVER_API_TOKEN, when no bearer token is sent', async () => {
    const call = await guarded(token);
    for (const header of [undefined, `Basic ${token}`, `Bearer ${token} extra`]) {
      expect(await call(header), String(header)).toEqual([
        401,
        'Bearer',
        errorText('missing_token', 'Send the read API token as "Authorization: Bearer <RECEIVER_API_TOKEN>"'),
      ]);
    }
  });

  it('answers 401 invalid_token for any other token, however close to the right one', async () => {
    const call = await guarded(token);
    for (const header of ['Bearer x', `Bearer ${token}x`, `Bearer ${token.toUpperCase()}`]) {
      expect(await call(header), header).toEqual([
        401,
        'Bearer error="invalid_token"',
        errorText('invalid_token', 'The bearer token is not the RECEIVER_API_TOKEN this receiver runs with'),
      ]);
    }
  });

  it('turns the API off with 403 read_api_disabled when no token is configured, even for a token sent', async () => {
    const call = await guarded(null);
    for (const header of [undefined, `Bearer ${token}`]) {
      expect(await call(header)).toEqual([
        403,
        null,
        errorText(
          'read_api_disabled',
          'The read API is off: start the receiver with RECEIVER_API_TOKEN (or --api-token) set to enable it',
        ),
      ]);
    }
  });

  it('tells onRefused why each 401 was given, and nothing when the token matches or the API is off', async () => {
    const reasons: BearerFailure[] = [];
    const call = await guarded(token, (reason) => reasons.push(reason));
    for (const header of [
      undefined,
      '',
      `Basic ${token}`,
      `Bearer ${token} extra`,
      'Bearer not-it',
      `Bearer ${token}`,
    ]) {
      await call(header);
    }
    expect(reasons).toEqual(['missing', 'malformed', 'malformed', 'malformed', 'wrong']);
    const off = await guarded(null, (reason) => reasons.push(reason));
    expect((await off())[0]).toBe(403);
    expect(reasons).toHaveLength(5);
  });

  it('refuses a configured token outside 16 to 512 visible ASCII characters, naming the read API', () => {
    expect(() => readApiAuth('~'.repeat(512))).not.toThrow();
    for (const bad of ['x'.repeat(15), 'abc def ghi jkl mno']) {
      expect(bearerTokenPattern.test(bad), bad).toBe(false);
      expect(() => readApiAuth(bad)).toThrow(
        new RangeError(
          'the read API token must be 16-512 visible ASCII characters without spaces (e.g. `openssl rand -hex 32`)',
        ),
      );
    }
  });
});
