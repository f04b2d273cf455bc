// runReceiver: the program with the team's handlers, given in code or as a `--handlers` module; a
// wrong module stops start-up with a message that names the mistake (in process, and from the
// built program with exit code 2).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PaymentSucceeded } from '@webhook-contracts/schema';
import {
  deliver,
  eventually,
  ReadApi,
  receiverMain,
  requireBuilt,
  runProgram,
} from '@webhook-contracts/test-kit';
import { signedDelivery } from '@webhook-contracts/webhooks';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';
import { describeDatabase, type RunningReceiver, runReceiver } from '../src/runReceiver.js';

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const token = 'run-receiver-test-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'run-receiver-'));
const examples = fileURLToPath(new URL('../../../contracts/examples/', import.meta.url));
const payment = JSON.parse(
  readFileSync(join(examples, 'payment.succeeded/valid.example.json'), 'utf8'),
) as PaymentSucceeded;

let running: RunningReceiver | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = (name: string) => ({
  WEBHOOK_SECRET: secret,
  RECEIVER_API_TOKEN: token,
  PORT: '0',
  LOG_LEVEL: 'silent',
  DATABASE_URL: `sqlite:${join(dir, `${name}.sqlite`)}`,
});

async function processedStatus(url: string, id: string): Promise<string> {
  const api = new ReadApi(url, token);
  return eventually(`${id} is settled`, async () => {
    const status = (await api.event(id))?.status;
    return status === 'received' ? undefined : status;
  });
}

describe('runReceiver', () => {
  it('runs handlers given in code on their type, typed, and settles the event processed', async () => {
    const seen: string[] = [];
    running = await runReceiver({
      env: env('in-code'),
      argv: [],
      exitOnFailure: false,
      handlers: {
        'payment.succeeded': (event) => {
          seen.push(`${event.data.id} ${event.data.currency}`);
          return {};
        },
      },
    });
    const signed = signedDelivery({ secret, payload: payment, id: 'msg_run_receiver_1' });
    expect((await deliver(`${running.url}/webhooks`, signed)).status).toBe(200);
    expect(await processedStatus(running.url, 'msg_run_receiver_1')).toBe('processed');
    expect(seen).toEqual([`${payment.data.id} ${payment.data.currency}`]);
  });

  it('loads --handlers from a module exporting them by type as its default export', async () => {
    const file = join(dir, 'handlers.mjs');
    writeFileSync(
      file,
      `export const calls = [];
export default { 'payment.succeeded': (event) => { calls.push(event.data.id); return {}; } };`,
    );
    running = await runReceiver({ env: env('module'), argv: ['--handlers', file], exitOnFailure: false });
    const signed = signedDelivery({ secret, payload: payment, id: 'msg_run_receiver_2' });
    expect((await deliver(`${running.url}/webhooks`, signed)).status).toBe(200);
    expect(await processedStatus(running.url, 'msg_run_receiver_2')).toBe('processed');
    const loaded = (await import(file)) as { calls: string[] };
    expect(loaded.calls).toEqual([payment.data.id]);
  });

  it('refuses a module with a misspelt type, naming the closest known one', async () => {
    const file = join(dir, 'typo.mjs');
    writeFileSync(
      file,
      `export const handlers = { 'payment.succeded': () => ({}), 'membership.activated': 3, shipped: () => ({}) };`,
    );
    const failure = await runReceiver({
      env: { ...env('typo'), RECEIVER_HANDLERS: file },
      argv: [],
      exitOnFailure: false,
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).issues).toEqual([
      `${file}: "payment.succeded" is not an event type of the catalog (did you mean "payment.succeeded"?)`,
      `${file}: the handler for "membership.activated" is a number, not a function`,
      `${file}: "shipped" is not an event type of the catalog (see docs/reference/event-catalog.md)`,
    ]);
  });

  it('stops the built program with exit 2 and the reason for a missing file or a module with no handlers', async () => {
    requireBuilt([receiverMain]);
    const missing = await runProgram([receiverMain, '--handlers', join(dir, 'nope.mjs')], {
      env: env('missing'),
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      `--handlers: no file at ${join(dir, 'nope.mjs')}: pass the path of your handlers module`,
    );
    const empty = join(dir, 'empty.mjs');
    writeFileSync(empty, 'export const other = 1;');
    const none = await runProgram([receiverMain, '--handlers', empty], { env: env('empty') });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`${empty} exports no handlers: export default {`);
  });
});

describe('the start-up log', () => {
  it('names the PostgreSQL database and schema, never the credentials', () => {
    const described = (extra: Record<string, string>) =>
      describeDatabase(loadConfig({ env: { WEBHOOK_SECRET: secret, ...extra }, argv: [] }));
    expect(described({ DATABASE_URL: 'postgres://app:hunter2@db.internal:5433/orders?schema=whop' })).toEqual(
      {
        database: 'postgres://db.internal:5433/orders',
        schema: 'whop',
      },
    );
    expect(
      described({ DATABASE_URL: 'postgres://app:hunter2@db/orders', DATABASE_SCHEMA: 'tenant_a' }),
    ).toEqual({
      database: 'postgres://db/orders',
      schema: 'tenant_a',
    });
    expect(described({ DATABASE_URL: 'postgres://db/orders' })).toEqual({
      database: 'postgres://db/orders',
      schema: 'public',
    });
  });
});
