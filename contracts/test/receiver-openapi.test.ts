// The committed OpenAPI document against the BUILT receiver: every operation under `paths` is
// driven over HTTP, and each live answer must be one the document declares for that route: its
// status listed, its content type the declared one, its body (each line, for NDJSON) valid under
// the declared schema with Ajv. The schemas are checked closed (a property the schema does not
// name fails), so a field renamed on either side, receiver or schema package, fails here.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  eventually,
  type LocalServer,
  listenLocally,
  type RunningProgram,
  startBuiltReceiver,
} from '@webhook-contracts/test-kit';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractsDir } from '../scripts/artefacts.js';
import { referenceSigned, whopSecret, whsecSecret } from './support/referenceWebhook.js';

type JsonObject = Record<string, unknown>;

interface Document {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
  components: { schemas: Record<string, unknown> };
}

const document = JSON.parse(readFileSync(join(contractsDir, 'openapi.json'), 'utf8')) as Document;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A copy of a schema in which every object schema that names its properties allows no others.
 * Published schemas stay open (a client should accept fields added later); the receiver's own
 * answers must carry exactly the declared ones.
 */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (!isObject(schema)) return schema;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' || key === 'patternProperties' || key === '$defs') {
      out[key] = Object.fromEntries(Object.entries(value as JsonObject).map(([k, v]) => [k, closed(v)]));
    } else if (['items', 'additionalProperties', 'not', 'anyOf', 'oneOf', 'allOf'].includes(key)) {
      out[key] = closed(value);
    } else {
      out[key] = value;
    }
  }
  if (isObject(schema['properties']) && !('additionalProperties' in schema))
    out['additionalProperties'] = false;
  return out;
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
ajvFormats.default(ajv);
ajv.addSchema(
  {
    components: {
      schemas: Object.fromEntries(
        Object.entries(document.components.schemas).map(([k, v]) => [k, closed(v)]),
      ),
    },
  },
  'openapi',
);
const validators = new Map<string, ValidateFunction>();

/** The declared schema of (operation, status, content type), or a message saying what is missing. */
function declared(
  method: string,
  path: string,
  status: number,
  contentType: string,
): ValidateFunction | string {
  const operation = document.paths[path]?.[method];
  if (operation === undefined) return `the document has no ${method.toUpperCase()} ${path}`;
  const content = operation.responses[String(status)]?.content;
  if (content === undefined) return `${method.toUpperCase()} ${path} declares no ${status} answer`;
  const schema = (content[contentType] as { schema?: unknown } | undefined)?.schema;
  if (schema === undefined) {
    return `${method.toUpperCase()} ${path} ${status} declares ${Object.keys(content).join(', ')}, not ${contentType}`;
  }
  const key = `${method} ${path} ${status} ${contentType}`;
  let validate = validators.get(key);
  if (validate === undefined) {
    // Component references are resolved in the registered `openapi` schema.
    const text = JSON.stringify(closed(schema)).replaceAll('"#/components/', '"openapi#/components/');
    validate = ajv.compile(JSON.parse(text) as JsonObject);
    validators.set(key, validate);
  }
  return validate;
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

/** Checks a live answer against the document and returns its JSON body (its lines, for NDJSON). */
function conforms(method: string, path: string, answer: Answer): unknown[] {
  const contentType = answer.contentType.split(';')[0]!.trim();
  const validate = declared(method, path, answer.status, contentType);
  expect(validate, `answer ${answer.status} ${answer.text.slice(0, 300)}`).toBeTypeOf('function');
  const bodies =
    contentType === 'application/x-ndjson'
      ? answer.text.split('\n').filter((line) => line !== '')
      : [answer.text];
  const values = bodies.map((b) => JSON.parse(b) as unknown);
  for (const value of values) {
    const ok = (validate as ValidateFunction)(value);
    expect(ok ? [] : (validate as ValidateFunction).errors, JSON.stringify(value).slice(0, 500)).toEqual([]);
  }
  return values;
}

const apiToken = 'openapi-contract-read-token';
const dirs: string[] = [];
const running: RunningProgram[] = [];
let open: string;
let strict: string;
/** A receiver forwarding to an endpoint that always answers 500, giving up after one attempt. */
let forwarding: string;
let refusingEndpoint: LocalServer | undefined;

async function start(env: Record<string, string>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'receiver-openapi-'));
  dirs.push(dir);
  const receiver = await startBuiltReceiver({
    WEBHOOK_SECRET: whsecSecret,
    DATABASE_URL: `sqlite:${join(dir, 'receiver.sqlite')}`,
    MAX_BODY_BYTES: '65536',
    ...env,
  });
  running.push(receiver);
  return receiver.url;
}

beforeAll(async () => {
  refusingEndpoint = await listenLocally((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(500).end());
  });
  forwarding = await start({
    RECEIVER_API_TOKEN: apiToken,
    FORWARD_HTTP_URL: `${refusingEndpoint.url}/hook`,
    FORWARD_HTTP_SECRET: whsecSecret,
    FORWARD_MAX_ATTEMPTS: '1',
  });
  [open, strict] = await Promise.all([
    start({ CONTRACT_MODE: 'quarantine', RECEIVER_API_TOKEN: apiToken }),
    // No read API token: the read API answers 403.
    start({ CONTRACT_MODE: 'strict' }),
  ]);
});

afterAll(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
  await refusingEndpoint?.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function call(
  base: string,
  method: 'get' | 'post',
  url: string,
  init: { headers?: Record<string, string>; body?: Buffer } = {},
): Promise<Answer> {
  const res = await fetch(`${base}${url}`, {
    method: method.toUpperCase(),
    headers: init.headers ?? {},
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
}

const bearer = { authorization: `Bearer ${apiToken}` };

function example(name: string): string {
  return readFileSync(join(contractsDir, 'examples/course_lesson_interaction.completed', name), 'utf8');
}

function deliver(base: string, id: string, body: string | Buffer, secret = whsecSecret): Promise<Answer> {
  const signed = referenceSigned(secret, id, body);
  return call(base, 'post', '/webhooks', {
    headers: { ...signed.headers, 'content-type': 'application/json' },
    body: signed.body,
  });
}

/** Every (method, path) driven to a 2xx, to compare with the document's operations at the end. */
const driven = new Set<string>();

/** One case: the request, the status it must get, and the document's verdict on the answer. */
async function expectAnswer(
  method: 'get' | 'post',
  path: string,
  send: () => Promise<Answer>,
  status: number,
): Promise<unknown[]> {
  const answer = await send();
  expect(answer.status, answer.text.slice(0, 300)).toBe(status);
  const bodies = conforms(method, path, answer);
  if (status < 300) driven.add(`${method} ${path}`);
  return bodies;
}

const lessonId = 'msg_openapi_lesson';
const unknownId = 'msg_openapi_unknown';
const invalidId = 'msg_openapi_invalid';
const textId = 'msg_openapi_text';

describe('POST /webhooks answers as the OpenAPI declares', () => {
  it('200 accepted, then 200 duplicate for the same webhook-id', async () => {
    const [accepted] = await expectAnswer(
      'post',
      '/webhooks',
      () => deliver(open, lessonId, example('docs-page.json')),
      200,
    );
    expect(accepted).toEqual({ status: 'accepted', webhook_id: lessonId });
    const [duplicate] = await expectAnswer(
      'post',
      '/webhooks',
      () => deliver(open, lessonId, example('docs-page.json')),
      200,
    );
    expect(duplicate).toEqual({ status: 'duplicate', webhook_id: lessonId, deliveries_seen: 2 });
  });

  it('200 unhandled for a valid envelope of an unknown type', async () => {
    const [unhandled] = await expectAnswer(
      'post',
      '/webhooks',
      () => deliver(open, unknownId, example('unknown.payout.created.json')),
      200,
    );
    expect(unhandled).toEqual({ status: 'unhandled', webhook_id: unknownId });
  });

  it('200 quarantined, with the contract errors, for an off-contract body or one that is not JSON', async () => {
    const [quarantined] = await expectAnswer(
      'post',
      '/webhooks',
      () => deliver(open, invalidId, example('invalid.several-fields.json')),
      200,
    );
    expect(quarantined).toMatchObject({
      status: 'quarantined',
      webhook_id: invalidId,
      errors_truncated: false,
    });
    const [notJson] = await expectAnswer(
      'post',
      '/webhooks',
      () => deliver(open, textId, 'not json at all'),
      200,
    );
    expect(notJson).toMatchObject({ status: 'quarantined', error_count: 1 });
  });

  it('401 for a signature made with another secret', async () => {
    const [refused] = await expectAnswer(
      'post',
      '/webhooks',
      () => deliver(open, 'msg_openapi_forged', example('docs-page.json'), whopSecret),
      401,
    );
    expect(refused).toMatchObject({ error: { code: 'no_matching_signature' } });
  });

  it('413 for a body over MAX_BODY_BYTES', async () => {
    const [refused] = await expectAnswer(
      'post',
      '/webhooks',
      () => deliver(open, 'msg_openapi_large', `"${'x'.repeat(70_000)}"`),
      413,
    );
    expect(refused).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('422 for a webhook-id longer than the store keeps, and in strict mode for an off-contract body', async () => {
    const [unstorable] = await expectAnswer(
      'post',
      '/webhooks',
      () => deliver(open, `msg_${'x'.repeat(300)}`, example('docs-page.json')),
      422,
    );
    expect(unstorable).toMatchObject({ error: { code: 'unstorable_delivery' } });
    const [violation] = await expectAnswer(
      'post',
      '/webhooks',
      () => deliver(strict, invalidId, example('invalid.several-fields.json')),
      422,
    );
    expect(violation).toMatchObject({ error: { code: 'contract_violation', errors_truncated: false } });
  });
});

describe('the read API answers as the OpenAPI declares', () => {
  it('GET /events: 200 a page, 400 for a limit out of range, 401 without the token, 403 when off', async () => {
    const [page] = await expectAnswer(
      'get',
      '/events',
      () => call(open, 'get', '/events?limit=500', { headers: bearer }),
      200,
    );
    expect((page as { events: { webhook_id: string }[] }).events.map((e) => e.webhook_id).sort()).toEqual(
      [invalidId, lessonId, textId, unknownId].sort(),
    );
    const [badLimit] = await expectAnswer(
      'get',
      '/events',
      () => call(open, 'get', '/events?limit=0', { headers: bearer }),
      400,
    );
    expect(badLimit).toMatchObject({ error: { code: 'invalid_query' } });
    const [noToken] = await expectAnswer('get', '/events', () => call(open, 'get', '/events'), 401);
    expect(noToken).toMatchObject({ error: { code: 'missing_token' } });
    const [off] = await expectAnswer(
      'get',
      '/events',
      () => call(strict, 'get', '/events', { headers: bearer }),
      403,
    );
    expect(off).toMatchObject({ error: { code: 'read_api_disabled' } });
  });

  it('GET /events/{id}: 200 with payload or payload_text, 404 for an unknown id, 400 for a malformed one', async () => {
    const [json] = await expectAnswer(
      'get',
      '/events/{id}',
      () => call(open, 'get', `/events/${lessonId}`, { headers: bearer }),
      200,
    );
    expect((json as { payload: { id: string } }).payload.id).toBe('msg_xxxxxxxxxxxxxxxxxxxxxxxx');
    const [text] = await expectAnswer(
      'get',
      '/events/{id}',
      () => call(open, 'get', `/events/${textId}`, { headers: bearer }),
      200,
    );
    expect(text).toMatchObject({ webhook_id: textId, payload_text: 'not json at all' });
    const [missing] = await expectAnswer(
      'get',
      '/events/{id}',
      () => call(open, 'get', '/events/msg_nobody', { headers: bearer }),
      404,
    );
    expect(missing).toMatchObject({ error: { code: 'event_not_found' } });
    const [malformed] = await expectAnswer(
      'get',
      '/events/{id}',
      () => call(open, 'get', '/events/msg_%zz', { headers: bearer }),
      400,
    );
    expect(malformed).toMatchObject({ error: { code: 'invalid_query' } });
  });

  it('GET /progress: 200 the row the lesson event made, 400 for a malformed cursor', async () => {
    const row = await eventually('the lesson event processed into progress', async () => {
      const answer = await call(open, 'get', '/progress', { headers: bearer });
      const rows = (JSON.parse(answer.text) as { progress: unknown[] }).progress;
      return rows.length > 0 ? answer : undefined;
    });
    const [page] = await expectAnswer('get', '/progress', async () => row, 200);
    expect(page).toMatchObject({
      progress: [{ user_id: 'user_xxxxxxxxxxxxx', course_id: 'cors_xxxxxxxxxxxxx', completed_lessons: 1 }],
      next_cursor: null,
    });
    const [badCursor] = await expectAnswer(
      'get',
      '/progress',
      () => call(open, 'get', '/progress?cursor=not-a-cursor', { headers: bearer }),
      400,
    );
    expect(badCursor).toMatchObject({ error: { code: 'invalid_cursor' } });
  });

  it('GET /memberships and /memberships/{id}: 200 the state the membership event made, 400 and 404', async () => {
    const activated = readFileSync(
      join(contractsDir, 'examples/membership.activated/valid.example.json'),
      'utf8',
    );
    const membershipId = (JSON.parse(activated) as { data: { id: string } }).data.id;
    expect((await deliver(open, 'msg_openapi_membership', activated)).status).toBe(200);
    const listed = await eventually('the membership event processed into its read model', async () => {
      const answer = await call(open, 'get', '/memberships', { headers: bearer });
      const rows = (JSON.parse(answer.text) as { memberships: unknown[] }).memberships;
      return rows.length > 0 ? answer : undefined;
    });
    const [page] = await expectAnswer('get', '/memberships', async () => listed, 200);
    expect(page).toMatchObject({
      memberships: [{ id: membershipId, status: 'active', webhook_id: 'msg_openapi_membership' }],
      next_cursor: null,
    });
    const [one] = await expectAnswer(
      'get',
      '/memberships/{id}',
      () => call(open, 'get', `/memberships/${membershipId}`, { headers: bearer }),
      200,
    );
    expect(one).toMatchObject({ id: membershipId, status: 'active' });
    const [badStatus] = await expectAnswer(
      'get',
      '/memberships',
      () => call(open, 'get', '/memberships?status=sleeping', { headers: bearer }),
      400,
    );
    expect(badStatus).toMatchObject({ error: { code: 'invalid_query' } });
    const [missing] = await expectAnswer(
      'get',
      '/memberships/{id}',
      () => call(open, 'get', '/memberships/mem_unknown', { headers: bearer }),
      404,
    );
    expect(missing).toMatchObject({ error: { code: 'membership_not_found' } });
  });

  it('POST /events/{id}/replay: 202 queued, 404 for an unknown id', async () => {
    const [queued] = await expectAnswer(
      'post',
      '/events/{id}/replay',
      () => call(open, 'post', `/events/${lessonId}/replay`, { headers: bearer }),
      202,
    );
    expect(queued).toEqual({ status: 'queued', webhook_id: lessonId });
    const [missing] = await expectAnswer(
      'post',
      '/events/{id}/replay',
      () => call(open, 'post', '/events/msg_nobody/replay', { headers: bearer }),
      404,
    );
    expect(missing).toMatchObject({ error: { code: 'event_not_found' } });
  });

  it('GET /events/export: 200 one line per event, 400 for since after until', async () => {
    const lines = await expectAnswer(
      'get',
      '/events/export',
      () => call(open, 'get', '/events/export', { headers: bearer }),
      200,
    );
    expect((lines as { webhook_id: string }[]).map((l) => l.webhook_id).sort()).toEqual(
      [invalidId, lessonId, 'msg_openapi_membership', textId, unknownId].sort(),
    );
    const [window] = await expectAnswer(
      'get',
      '/events/export',
      () =>
        call(open, 'get', '/events/export?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z', {
          headers: bearer,
        }),
      400,
    );
    expect(window).toMatchObject({ error: { code: 'invalid_query' } });
  });
});

describe('the forwarding routes answer as the OpenAPI declares', () => {
  it('GET /forwarding, GET /forwarding/dead-letters, POST /forwarding/dead-letters/forward, POST /events/{id}/forward', async () => {
    const id = 'msg_openapi_forward';
    expect((await deliver(forwarding, id, example('docs-page.json'))).status).toBe(200);
    // The endpoint answers 500 and FORWARD_MAX_ATTEMPTS is 1: the event becomes a dead letter.
    const page = await eventually('the event dead-lettered', async () => {
      const [body] = await expectAnswer(
        'get',
        '/forwarding/dead-letters',
        () => call(forwarding, 'get', '/forwarding/dead-letters?destination=http', { headers: bearer }),
        200,
      );
      const letters = (body as { dead_letters: { webhook_id: string }[] }).dead_letters;
      return letters.length === 1 ? body : undefined;
    });
    expect(page).toMatchObject({
      dead_letters: [{ webhook_id: id, destination: 'http', attempts: 1 }],
      next_cursor: null,
      matching: 1,
    });
    const [summary] = await expectAnswer(
      'get',
      '/forwarding',
      () => call(forwarding, 'get', '/forwarding', { headers: bearer }),
      200,
    );
    expect(summary).toMatchObject({
      enabled: true,
      destinations: [{ destination: 'http', up: false, dead: 1 }],
    });
    const [off] = await expectAnswer(
      'get',
      '/forwarding',
      () => call(open, 'get', '/forwarding', { headers: bearer }),
      200,
    );
    expect(off).toEqual({ enabled: false, destinations: [] });
    const [badDestination] = await expectAnswer(
      'get',
      '/forwarding/dead-letters',
      () => call(forwarding, 'get', '/forwarding/dead-letters?destination=kafka', { headers: bearer }),
      400,
    );
    expect(badDestination).toMatchObject({ error: { code: 'invalid_query' } });
    const [queued] = await expectAnswer(
      'post',
      '/forwarding/dead-letters/forward',
      () => call(forwarding, 'post', '/forwarding/dead-letters/forward', { headers: bearer }),
      202,
    );
    expect(queued).toEqual({ status: 'queued', count: 1, next_cursor: null });
    const [again] = await expectAnswer(
      'post',
      '/events/{id}/forward',
      () => call(forwarding, 'post', `/events/${id}/forward?destination=http`, { headers: bearer }),
      202,
    );
    expect(again).toEqual({ status: 'queued', webhook_id: id, destinations: ['http'] });
    const [notForwardable] = await expectAnswer(
      'post',
      '/events/{id}/forward',
      () => call(open, 'post', `/events/${lessonId}/forward`, { headers: bearer }),
      409,
    );
    expect(notForwardable).toMatchObject({ error: { code: 'not_forwardable' } });
    const [missing] = await expectAnswer(
      'post',
      '/events/{id}/forward',
      () => call(forwarding, 'post', '/events/msg_nobody/forward', { headers: bearer }),
      404,
    );
    expect(missing).toMatchObject({ error: { code: 'event_not_found' } });
  });
});

describe('GET /healthz answers as the OpenAPI declares', () => {
  it('200 ok', async () => {
    const [health] = await expectAnswer('get', '/healthz', () => call(open, 'get', '/healthz'), 200);
    expect(health).toEqual({ status: 'ok' });
  });
});

describe('the document', () => {
  it('has no operation the tests above did not drive to a 2xx', () => {
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method} ${path}`),
    );
    expect(operations.sort()).toEqual([...driven].sort());
  });

  it('is checked closed: an answer with a renamed field fails', () => {
    const validate = declared('post', '/events/{id}/replay', 202, 'application/json');
    expect(validate).toBeTypeOf('function');
    const check = validate as ValidateFunction;
    expect(check({ status: 'queued', webhook_id: 'msg_1' })).toBe(true);
    expect(check({ status: 'queued', webhookId: 'msg_1' })).toBe(false);
    expect(check({ status: 'queued', webhook_id: 'msg_1', id: 'msg_1' })).toBe(false);
  });
});
