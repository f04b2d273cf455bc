// GET /memberships and GET /memberships/{id} through the read API router, on an in-memory store:
// the guard and headers the other read routes have, the parameters validated as theirs are, pages
// bounded in bytes with next_cursor, and the handler's effects turned into rows.
import { knownEventTypes, type MembershipActivated } from '@webhook-contracts/schema';
import { listenLocally } from '@webhook-contracts/test-kit';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createReadApiRouter } from '../../http/createReadApiRouter.js';
import { defaultHandlers } from '../../processing/EventHandlers.js';
import { SqliteStore } from '../../store/sqlite/SqliteStore.js';
import { delivery } from '../../store/test-support/storeContract.js';
import type { MembershipChange } from './MembershipReader.js';
import { membershipHandler } from './membershipHandler.js';
import { membershipChange } from './test-support/membershipChange.js';

const token = 'memberships-test-token-0123456789';
const auth = { authorization: `Bearer ${token}` };
const t0 = Date.UTC(2026, 0, 1);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function change(id: string, overrides: Partial<MembershipChange> = {}): MembershipChange {
  return membershipChange({ membershipId: id, eventTimestamp: t0 + 5, ...overrides });
}

async function serveWith(changes: MembershipChange[], maxPageBytes?: number) {
  const store = new SqliteStore({ filename: ':memory:' });
  cleanups.push(() => store.close());
  for (const [i, c] of changes.entries()) {
    const id = `msg_${i}`;
    await store.insertDelivery(delivery(id, { type: 'membership.activated' }));
    await store.claimDue('w', t0 + 1_000_000, 1000, 100);
    await store.settle(id, 'w', { status: 'processed', effects: { membershipChanges: [c] } }, t0);
  }
  const app = express();
  app.use(
    createReadApiRouter({ store, apiToken: token, ...(maxPageBytes === undefined ? {} : { maxPageBytes }) }),
  );
  const server = await listenLocally(app);
  cleanups.push(server.close);
  return server.url;
}

async function get(url: string, headers: Record<string, string> = auth) {
  const res = await fetch(url, { headers });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as Record<string, unknown> & {
      error?: { code: string; message: string; details?: unknown };
    },
  };
}

const idsOf = (body: Record<string, unknown>) => (body['memberships'] as { id: string }[]).map((m) => m.id);

describe('GET /memberships', () => {
  it('lists memberships by id with ISO times, behind the token, never cached', async () => {
    const url = await serveWith([
      change('mem_b', { userId: null, cancelAtPeriodEnd: true }),
      change('mem_a'),
    ]);
    const { status, headers, body } = await get(`${url}/memberships`);
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
    expect(body).toEqual({
      memberships: [
        {
          id: 'mem_a',
          user_id: 'user_1',
          product_id: 'prod_1',
          plan_id: 'plan_1',
          status: 'active',
          cancel_at_period_end: false,
          updated_at: '2026-01-01T00:00:00.000Z',
          event_timestamp: '2026-01-01T00:00:00.005Z',
          webhook_id: 'msg_1',
        },
        {
          id: 'mem_b',
          user_id: null,
          product_id: 'prod_1',
          plan_id: 'plan_1',
          status: 'active',
          cancel_at_period_end: true,
          updated_at: '2026-01-01T00:00:00.000Z',
          event_timestamp: '2026-01-01T00:00:00.005Z',
          webhook_id: 'msg_0',
        },
      ],
      next_cursor: null,
    });
    const anonymous = await get(`${url}/memberships`, {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('cache-control')).toBe('no-store');
    expect((await get(`${url}/memberships/mem_a`, {})).status).toBe(401);
  });

  it('filters by user_id and status, and pages with next_cursor', async () => {
    const url = await serveWith([
      change('mem_a'),
      change('mem_b', { userId: 'user_2' }),
      change('mem_c', { status: 'canceled' }),
      change('mem_d'),
    ]);
    expect(idsOf((await get(`${url}/memberships?user_id=user_1`)).body)).toEqual(['mem_a', 'mem_c', 'mem_d']);
    expect(idsOf((await get(`${url}/memberships?status=canceled`)).body)).toEqual(['mem_c']);
    expect(idsOf((await get(`${url}/memberships?user_id=user_1&status=active`)).body)).toEqual([
      'mem_a',
      'mem_d',
    ]);
    const first = (await get(`${url}/memberships?limit=3`)).body;
    expect(idsOf(first)).toEqual(['mem_a', 'mem_b', 'mem_c']);
    const cursor = encodeURIComponent(first['next_cursor'] as string);
    const second = (await get(`${url}/memberships?limit=3&cursor=${cursor}`)).body;
    expect(second).toMatchObject({ next_cursor: null });
    expect(idsOf(second)).toEqual(['mem_d']);
  });

  it('ends a page before the item that would pass the byte budget, always taking one', async () => {
    const url = await serveWith([change('mem_a'), change('mem_b'), change('mem_c')], 300);
    const first = (await get(`${url}/memberships`)).body;
    expect(idsOf(first)).toEqual(['mem_a']);
    expect(first['next_cursor']).not.toBeNull();
  });

  it('refuses a bad status, limit or cursor, and a NUL in a parameter, with 400 invalid_query', async () => {
    const url = await serveWith([change('mem_a')]);
    const status = await get(`${url}/memberships?status=gone`);
    expect(status.status).toBe(400);
    expect(status.body.error).toMatchObject({
      code: 'invalid_query',
      message: expect.stringMatching(/^status is "gone": expected one of trialing, active/),
    });
    const limit = await get(`${url}/memberships?limit=0`);
    expect(limit.body.error).toMatchObject({
      code: 'invalid_query',
      message: 'limit is "0": expected a whole number from 1 to 500',
    });
    expect((await get(`${url}/memberships?cursor=bm9wZQ`)).body.error).toMatchObject({
      code: 'invalid_cursor',
    });
    const nul = await get(`${url}/memberships?user_id=a%00`);
    expect(nul.status).toBe(400);
    expect(nul.body.error).toMatchObject({
      code: 'invalid_query',
      details: [{ parameter: 'user_id', problem: 'nul_character' }],
    });
    const repeated = await get(`${url}/memberships?status=active&status=canceled`);
    expect(repeated.body.error).toMatchObject({ details: [{ parameter: 'status', problem: 'repeated' }] });
  });

  it('echoes only the first 64 characters of an unknown status', async () => {
    const url = await serveWith([change('mem_a')]);
    const long = await get(`${url}/memberships?status=${'x'.repeat(64)}yz`);
    expect(long.status).toBe(400);
    expect(long.body.error?.message).toMatch(new RegExp(`^status is "${'x'.repeat(64)}": expected one of `));
  });

  it('refuses a user_id or cursor past its length bound with 400 too_long', async () => {
    const url = await serveWith([change('mem_a')]);
    for (const [parameter, length] of [
      ['user_id', 257],
      ['cursor', 4097],
    ] as const) {
      const res = await get(`${url}/memberships?${parameter}=${'a'.repeat(length)}`);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'invalid_query',
        details: [{ parameter, problem: 'too_long' }],
      });
    }
  });

  it('reads an empty user_id as no filter', async () => {
    const url = await serveWith([change('mem_a'), change('mem_b', { userId: 'user_2' })]);
    expect(idsOf((await get(`${url}/memberships?user_id=`)).body)).toEqual(['mem_a', 'mem_b']);
  });
});

describe('GET /memberships/{id}', () => {
  it('answers one membership, 404 membership_not_found for another, and 400 for a NUL in the id', async () => {
    const url = await serveWith([change('mem_a', { status: 'past_due' })]);
    const one = await get(`${url}/memberships/mem_a`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: 'mem_a', status: 'past_due', webhook_id: 'msg_0' });
    const missing = await get(`${url}/memberships/mem_nope`);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toEqual({
      code: 'membership_not_found',
      message: 'No membership with id "mem_nope" is stored',
    });
    const nul = await get(`${url}/memberships/a%00b`);
    expect(nul.status).toBe(400);
    expect(nul.body.error).toMatchObject({
      details: [{ parameter: 'membership_id', problem: 'nul_character' }],
    });
  });
});

describe('membershipHandler', () => {
  const example: MembershipActivated = {
    id: 'msg_1',
    api_version: 'v1',
    timestamp: '2026-01-02T00:00:00.000Z',
    type: 'membership.activated',
    data: {} as MembershipActivated['data'],
  };

  it('turns a membership event into its state with both times', () => {
    const data = {
      ...example.data,
      id: 'mem_1',
      user: { id: 'user_1', email: null, name: null, username: 'u' },
      plan: { id: 'plan_1', metadata: null },
      product: { id: 'prod_1', metadata: null, title: 'P' },
      status: 'canceling' as const,
      cancel_at_period_end: true,
      updated_at: '2026-01-01T12:00:00.000Z',
    };
    expect(membershipHandler({ ...example, data })).toEqual([
      {
        membershipId: 'mem_1',
        userId: 'user_1',
        productId: 'prod_1',
        planId: 'plan_1',
        status: 'canceling',
        cancelAtPeriodEnd: true,
        updatedAt: Date.UTC(2026, 0, 1, 12),
        eventTimestamp: Date.UTC(2026, 0, 2),
      },
    ]);
    expect(membershipHandler({ ...example, data: { ...data, user: null } })[0]?.userId).toBeNull();
  });

  it('throws, naming the field, so the event is retried, if an updated_at or timestamp the schema let through does not parse', () => {
    const data = {
      ...example.data,
      id: 'mem_1',
      user: null,
      plan: { id: 'plan_1', metadata: null },
      product: { id: 'prod_1', metadata: null, title: 'P' },
      updated_at: 'yesterday',
    };
    expect(() => membershipHandler({ ...example, data })).toThrow(
      new Error('data.updated_at "yesterday" is not a parseable date-time'),
    );
    const timestamp = 'soon';
    expect(() =>
      membershipHandler({ ...example, timestamp, data: { ...data, updated_at: '2026-01-01T12:00:00.000Z' } }),
    ).toThrow(new Error('timestamp "soon" is not a parseable date-time'));
  });

  it('runs, under membershipChanges, for every membership event type the catalog has', async () => {
    const data = {
      ...example.data,
      id: 'mem_1',
      user: null,
      plan: { id: 'plan_1', metadata: null },
      product: { id: 'prod_1', metadata: null, title: 'P' },
      status: 'expired' as const,
      cancel_at_period_end: false,
      updated_at: '2026-01-01T12:00:00.000Z',
    };
    const types = knownEventTypes.filter((t) => t.startsWith('membership.'));
    expect(types).toEqual([
      'membership.activated',
      'membership.cancel_at_period_end_changed',
      'membership.deactivated',
      'membership.trial_ending_soon',
    ]);
    for (const type of types) {
      const handler = defaultHandlers[type] as ((e: unknown) => unknown) | undefined;
      expect(await handler?.({ ...example, type, data })).toEqual({
        membershipChanges: membershipHandler({ ...example, data }),
      });
    }
  });
});
