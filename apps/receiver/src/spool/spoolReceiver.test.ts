// The spool inside a running receiver: the store made to fail as an unreachable database does
// (store_unavailable on every insert and ping), the spool taking over, /healthz and /metrics
// showing it, and the drain once the store answers again.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { eventually, listenLocally } from '@webhook-contracts/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createReceiver } from '../createReceiver.js';
import { StoreError } from '../errors.js';
import type { Store } from '../store/core/Store.js';
import { SqliteStore } from '../store/sqlite/SqliteStore.js';
import { send, signedRequest, testSecret } from '../test-support/signedRequest.js';
import { Spool } from './Spool.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A receiver over a store that fails like an unreachable database while `outage.on`. */
async function start(maxBytes = 1024 * 1024) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spool-receiver-'));
  const sqlite = new SqliteStore({ filename: path.join(dir, 'receiver.sqlite') });
  const outage = { on: false };
  const down = () => Promise.reject(new StoreError('store_unavailable', 'connect ECONNREFUSED'));
  const store = new Proxy(sqlite, {
    get(target, name, receiver) {
      if (outage.on && (name === 'insertDelivery' || name === 'ping')) return down;
      const value = Reflect.get(target, name, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as Store;
  const { spool } = await Spool.open({ dir: path.join(dir, 'spool'), maxBytes });
  const receiver = createReceiver({
    store,
    secret: testSecret,
    spool: { spool, spoolAfterMs: 500 },
    processing: { pollIntervalMs: 20 },
  });
  const local = await listenLocally(receiver);
  cleanups.push(async () => {
    await local.close();
    await receiver.close();
    await sqlite.close();
    await spool.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { url: local.url, sqlite, spool, outage };
}

async function health(url: string) {
  const res = await fetch(`${url}/healthz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('a receiver with a spool', () => {
  it('answers 200 while the store is down, says so on /healthz and /metrics, and drains once it is back', async () => {
    const r = await start();
    r.outage.on = true;
    const req = signedRequest();
    const res = await send(`${r.url}/webhooks`, req);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'accepted', webhook_id: req.id });
    expect(await r.sqlite.getEvent(req.id)).toBeNull();

    const during = await health(r.url);
    expect(during.status).toBe(200);
    expect(during.body).toMatchObject({
      status: 'spooling',
      spool: { depth: 1, accepting: true, max_bytes: 1024 * 1024 },
    });
    const metrics = await (await fetch(`${r.url}/metrics`)).text();
    expect(metrics).toMatch(/^webhook_spool_depth 1$/m);
    expect(metrics).toMatch(/^webhook_spooled_total 1$/m);

    r.outage.on = false;
    const stored = await eventually('the spooled event stored and processed', async () => {
      const event = await r.sqlite.getEvent(req.id);
      return event?.status === 'processed' ? event : undefined;
    });
    expect(Buffer.compare(stored.body, req.body)).toBe(0);
    expect(stored.headers['webhook-id']).toBe(req.id);
    expect(stored.headers['webhook-signature']).toBeUndefined();
    const after = await health(r.url);
    expect(after).toMatchObject({
      status: 200,
      body: { status: 'ok', spool: { depth: 0, oldest_age_seconds: null } },
    });
  });

  it('answers a second copy of a spooled delivery as a duplicate', async () => {
    const r = await start();
    r.outage.on = true;
    const req = signedRequest();
    expect((await send(`${r.url}/webhooks`, req)).status).toBe(200);
    const again = await send(`${r.url}/webhooks`, req);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: 'duplicate', webhook_id: req.id, deliveries_seen: 2 });
    expect(r.spool.depth).toBe(1);
  });

  it('answers 503 on deliveries and /healthz once the spool is full while the store is down', async () => {
    const r = await start(64 * 1024);
    r.outage.on = true;
    let last = 200;
    for (let i = 0; i < 500 && last === 200; i++)
      last = (await send(`${r.url}/webhooks`, signedRequest())).status;
    expect(last).toBe(503);
    const full = await health(r.url);
    expect(full.status).toBe(503);
    expect(full.body).toMatchObject({
      error: {
        code: 'store_unavailable',
        details: [{ check: 'store' }, { check: 'spool', failure: 'full', accepting: false }],
      },
    });
    r.outage.on = false;
    await eventually('the spool drained', () => (r.spool.depth === 0 ? true : undefined));
    expect((await send(`${r.url}/webhooks`, signedRequest())).status).toBe(200);
  });
});
