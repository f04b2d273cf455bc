// The spool against a real PostgreSQL made unreachable by a TCP proxy: what was spooled lands in
// the store once, with its forwarding outbox rows written by the same insert, and draining a copy
// again (a record drained a second time after a crash) changes neither.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { eventually, startOutageProxy } from '@webhook-contracts/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboxRoute } from '../forwarding/outbox/OutboxRoute.js';
import { PostgresStore } from '../store/postgres/PostgresStore.js';
import {
  dropSchema,
  randomSchema,
  testDatabaseUrl,
  withAdminClient,
} from '../store/test-support/postgresTestDatabase.js';
import { delivery } from '../store/test-support/storeContract.js';
import { Spool } from './Spool.js';
import { SpoolDrainer } from './SpoolDrainer.js';
import { SpoolingIngest } from './SpoolingIngest.js';

const routes: OutboxRoute[] = [{ destination: 'nats', types: null }];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp() {
  const schema = randomSchema();
  const target = new URL(testDatabaseUrl);
  const proxy = await startOutageProxy(target.hostname, Number(target.port || 5432));
  const proxied = new URL(testDatabaseUrl);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxy.port);
  const store = await PostgresStore.open({
    url: proxied.toString(),
    schema,
    poolSize: 2,
    outboxRoutes: routes,
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spool-postgres-'));
  const { spool } = await Spool.open({ dir: path.join(dir, 'spool'), maxBytes: 1024 * 1024 });
  const drainer = new SpoolDrainer({ spool, store, minBackoffMs: 20, maxBackoffMs: 200, idleMs: 50 });
  cleanups.push(async () => {
    await drainer.stop();
    await proxy.up().catch(() => {});
    await store.close();
    await spool.close();
    await proxy.down();
    await dropSchema(schema);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const ingest = new SpoolingIngest({ store, spool, spoolAfterMs: 300 });
  const rowsOf = (id: string) =>
    withAdminClient(async (c) => {
      const events = await c.query<{ deliveries_seen: number }>(
        `SELECT deliveries_seen FROM "${schema}".webhook_events WHERE webhook_id = $1`,
        [id],
      );
      const outbox = await c.query(`SELECT 1 FROM "${schema}".forward_outbox WHERE webhook_id = $1`, [id]);
      return { events: events.rows, outbox: outbox.rowCount };
    });
  return { proxy, store, spool, drainer, ingest, rowsOf };
}

describe('the spool on PostgreSQL', () => {
  it('drains what was spooled during an outage into one row with its outbox row, and a second drain of it is a duplicate', async () => {
    const { proxy, store, spool, drainer, ingest, rowsOf } = await setUp();
    const d = delivery('msg_spool_pg', { type: 'membership.went_valid' });
    await proxy.down();
    await expect(ingest.insertDelivery(d)).resolves.toEqual({
      inserted: true,
      status: d.status,
      deliveriesSeen: 1,
    });
    expect(spool.depth).toBe(1);

    await proxy.up();
    drainer.start();
    await eventually('the spooled delivery drained', () => (spool.depth === 0 ? true : undefined), 15_000);
    expect(Buffer.compare((await store.getEvent(d.webhookId))!.body, d.body)).toBe(0);
    expect(await rowsOf(d.webhookId)).toEqual({ events: [{ deliveries_seen: 1 }], outbox: 1 });

    // The same record drained again, as after a crash before the drain position was written.
    await spool.append(d);
    await eventually('the copy drained', () => (spool.depth === 0 ? true : undefined), 15_000);
    expect(await rowsOf(d.webhookId)).toEqual({ events: [{ deliveries_seen: 2 }], outbox: 1 });
  });
});
