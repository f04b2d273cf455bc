// The built receiver's read API facing hostile parameters, on SQLite and on PostgreSQL: a NUL,
// bytes that are not UTF-8, a broken escape, a repeated or over-long parameter, in the query or in
// the path, on every route. Each answers 400 invalid_query before the store is asked, so nothing is
// logged at error level (PostgreSQL would otherwise refuse the NUL with an error that reads like a
// dead database). Also: the no-store and nosniff headers on every answer, the token rule at start,
// and the failed-login counter in /metrics.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  hostileReadApiQueries,
  deliver as post,
  type RunningProgram,
  receiverMain,
  startBuiltReceiver,
} from '@webhook-contracts/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrlFor, dropSchema, testSchema } from './support/postgresDatabase.js';
import { referenceSigned, whsecSecret } from './support/referenceWebhook.js';

const apiToken = 'read-api-input-token-0123456789';
const auth = { authorization: `Bearer ${apiToken}` };
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function sqliteUrl(): string {
  const dir = mkdtempSync(join(tmpdir(), 'read-api-input-'));
  dirs.push(dir);
  return `sqlite:${join(dir, 'receiver.sqlite')}`;
}

async function deliver(url: string, id: string): Promise<number> {
  const body = Buffer.from(
    JSON.stringify({
      id: `evt_${id}`,
      api_version: 'v1',
      type: 'membership.activated',
      timestamp: new Date().toISOString(),
      company_id: 'biz_read_api',
      data: {},
    }),
  );
  const signed = referenceSigned(whsecSecret, id, body);
  const res = await post(`${url}/webhooks`, signed);
  return res.status;
}

/** The log records the process wrote at error level or above (pino: 50 error, 60 fatal). */
function errorRecords(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
}

const backends: { name: string; databaseUrl: () => string; schema?: string }[] = [
  { name: 'SQLite', databaseUrl: sqliteUrl },
  (() => {
    const schema = testSchema('read_api_input');
    return { name: 'PostgreSQL', databaseUrl: () => databaseUrlFor(schema), schema };
  })(),
];

describe.each(backends)('the built receiver on $name', ({ databaseUrl, schema }) => {
  let receiver: RunningProgram & { url: string };
  let url: string;
  const storedId = `msg_${randomUUID().replaceAll('-', '').slice(0, 24)}`;

  beforeAll(async () => {
    receiver = await startBuiltReceiver({
      WEBHOOK_SECRET: whsecSecret,
      RECEIVER_API_TOKEN: apiToken,
      DATABASE_URL: databaseUrl(),
    });
    url = receiver.url;
    expect(await deliver(url, storedId)).toBe(200);
  });
  afterAll(async () => {
    await receiver?.stop();
    if (schema !== undefined) await dropSchema(schema);
  });

  it('answers every hostile parameter with 400 invalid_query naming it, and logs no error', async () => {
    const answers: string[] = [];
    for (const [method, path, parameter, problem] of hostileReadApiQueries) {
      const res = await fetch(`${url}${path}`, { method, headers: auth });
      const body = (await res.json()) as { error: { code: string; details?: unknown[] } };
      answers.push(
        `${method} ${path.slice(0, 60)} ${res.status} ${body.error.code} ${JSON.stringify(body.error.details)}`,
      );
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(body.error, `${method} ${path}`).toEqual({
        code: 'invalid_query',
        message: expect.stringContaining(parameter),
        details: [{ parameter, problem }],
      });
    }
    expect(answers).toHaveLength(hostileReadApiQueries.length);
    // The receiver still answers normally, and its log holds its start-up line but no error.
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(receiver.output()).toContain('webhook receiver listening');
    expect(errorRecords(receiver.output())).toEqual([]);
  });

  it('answers a forged /progress cursor holding a NUL with 400 invalid_cursor, not 503', async () => {
    const forged = Buffer.from(`p:${JSON.stringify(['user\u0000', 'cors'])}`).toString('base64url');
    const res = await fetch(`${url}/progress?cursor=${forged}`, { headers: auth });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_cursor');
    expect(errorRecords(receiver.output())).toEqual([]);
  });

  it('sends Cache-Control: no-store and X-Content-Type-Options: nosniff on every read answer', async () => {
    const answers: [string, string, Record<string, string>, number][] = [
      ['GET', '/events', auth, 200],
      ['GET', `/events/${storedId}`, auth, 200],
      ['GET', '/events/msg_not_stored', auth, 404],
      ['POST', `/events/${storedId}/replay`, auth, 202],
      ['POST', '/events/msg_not_stored/replay', auth, 404],
      ['GET', '/events/export', auth, 200],
      ['GET', '/progress', auth, 200],
      ['GET', '/events?limit=0', auth, 400],
      ['GET', '/events/%ZZ', auth, 400],
      ['GET', '/events', {}, 401],
      ['GET', '/progress', { authorization: 'Bearer not-the-token-0123456789' }, 401],
      ['GET', '/events/export', { authorization: 'Basic abc' }, 401],
      ['GET', '/healthz', {}, 200],
      ['GET', '/metrics', {}, 200],
      ['GET', '/webhooks', {}, 405],
      ['GET', '/nowhere', {}, 404],
      ['GET', '/inspect/', {}, 200],
    ];
    const seen: string[] = [];
    for (const [method, path, headers] of answers) {
      const res = await fetch(`${url}${path}`, { method, headers });
      await res.arrayBuffer();
      seen.push(
        `${method} ${path} ${res.status} ${res.headers.get('cache-control')} ${res.headers.get('x-content-type-options')}`,
      );
    }
    expect(seen).toEqual(
      answers.map(([method, path, , status]) => `${method} ${path} ${status} no-store nosniff`),
    );
  });

  it('keeps the inspector’s hashed files cacheable', async () => {
    const assets = readdirSync(join(receiverMain, '../../inspector/dist/assets'));
    expect(assets.length).toBeGreaterThan(0);
    const res = await fetch(`${url}/inspect/assets/${assets[0]}`);
    await res.arrayBuffer();
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('counts each refused login in webhook_read_api_auth_failures_total{reason}', async () => {
    const counts = async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      const of = (reason: string) =>
        Number(
          new RegExp(`^webhook_read_api_auth_failures_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(
            text,
          )?.[1],
        );
      return { missing: of('missing'), malformed: of('malformed'), wrong: of('wrong') };
    };
    const before = await counts();
    await (await fetch(`${url}/events`)).arrayBuffer();
    await (await fetch(`${url}/events`, { headers: { authorization: 'Token abc' } })).arrayBuffer();
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${url}/progress`, {
        headers: { authorization: `Bearer guess-${i}-0123456789abcdef` },
      });
      await res.arrayBuffer();
    }
    await (await fetch(`${url}/events`, { headers: auth })).arrayBuffer();
    const after = await counts();
    expect(after).toEqual({
      missing: before.missing + 1,
      malformed: before.malformed + 1,
      wrong: before.wrong + 3,
    });
  });
});

describe('RECEIVER_API_TOKEN at start', () => {
  it.each([
    ['one character', 'Q'],
    ['15 characters', 'SHORTsecret1234'],
    ['spaces', 'abc def ghi jkl mno pqr'],
    ['513 characters', `L${'o'.repeat(511)}NG`],
  ])('refuses a token of %s with exit 2, saying the rule and never the value', async (_, token) => {
    const refusal = await startBuiltReceiver({
      WEBHOOK_SECRET: whsecSecret,
      RECEIVER_API_TOKEN: token,
      DATABASE_URL: sqliteUrl(),
    }).then(
      () => 'started',
      (error: Error) => error.message,
    );
    expect(refusal).toMatch(/exited with code 2/);
    expect(refusal).toContain(
      'webhook-receiver: Invalid configuration: RECEIVER_API_TOKEN must be 16-512 visible ASCII characters without spaces (e.g. `openssl rand -hex 32`)',
    );
    expect(refusal).not.toContain(token.length > 1 ? token.slice(0, 6) : `"${token}"`);
  });
});
