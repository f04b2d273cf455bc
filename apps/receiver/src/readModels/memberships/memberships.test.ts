// The memberships read model through the store, on both databases: the newest state wins whatever
// the arrival order, a replay changes nothing, and the reads page and filter.
import { describe, expect, it } from 'vitest';
import { delivery } from '../../store/test-support/storeContract.js';
import { storeBackends, useStoreBackend } from '../test-support/storeBackends.js';
import { memberships } from './index.js';
import type { MembershipChange } from './MembershipReader.js';
import { membershipChange, membershipT0 } from './test-support/membershipChange.js';

const t0 = membershipT0;
const change = membershipChange;

describe.each(storeBackends)('memberships on $name', (backend) => {
  const { store, reopen } = useStoreBackend(backend);

  /** Stores and settles one event per change, in the order given. */
  async function apply(...events: [webhookId: string, change: MembershipChange][]) {
    for (const [webhookId, c] of events) {
      await store().insertDelivery(delivery(webhookId, { type: 'membership.activated' }));
      await store().claimDue('w', t0 + 1_000_000, 1000, 100);
      const settled = await store().settle(
        webhookId,
        'w',
        { status: 'processed', effects: { membershipChanges: [c] } },
        t0,
      );
      expect(settled).toBe(true);
    }
  }

  const read = (id = 'mem_1') => store().reader(memberships).getMembership(id);

  it('keeps the newer state when an older event arrives after it', async () => {
    await apply(
      ['msg_new', change({ status: 'canceled', updatedAt: t0 + 2000 })],
      ['msg_old', change({ status: 'active', updatedAt: t0 + 1000 })],
    );
    expect(await read()).toEqual({
      ...change({ status: 'canceled', updatedAt: t0 + 2000 }),
      webhookId: 'msg_new',
    });
  });

  it('takes the newer state when it arrives after the older one', async () => {
    await apply(
      ['msg_old', change({ status: 'active', updatedAt: t0 + 1000 })],
      ['msg_new', change({ status: 'expired', cancelAtPeriodEnd: true, userId: null, updatedAt: t0 + 2000 })],
    );
    expect(await read()).toEqual({
      ...change({ status: 'expired', cancelAtPeriodEnd: true, userId: null, updatedAt: t0 + 2000 }),
      webhookId: 'msg_new',
    });
  });

  it('orders events with the same updated_at by their envelope timestamp, whatever the arrival order', async () => {
    const early = change({ status: 'active', eventTimestamp: t0 + 1 });
    const late = change({ status: 'past_due', eventTimestamp: t0 + 2 });
    await apply(['msg_late', late], ['msg_early', early]);
    expect((await read())?.status).toBe('past_due');
    await apply(['msg_early2', early]);
    expect(await read()).toEqual({ ...late, webhookId: 'msg_late' });
  });

  it('breaks a tie of both times by the greater webhook-id, whatever the arrival order', async () => {
    const a = change({ status: 'active' });
    const b = change({ status: 'canceling', cancelAtPeriodEnd: true });
    await apply(['msg_b', b], ['msg_a', a]);
    expect(await read()).toEqual({ ...b, webhookId: 'msg_b' });
    await reopen();
    await apply(['msg_a', a], ['msg_b', b]);
    expect(await read()).toEqual({ ...b, webhookId: 'msg_b' });
  });

  it('changes nothing when an old event is replayed, nor when the current one is', async () => {
    const older = change({ status: 'active', updatedAt: t0 + 1000 });
    const newer = change({ status: 'canceled', updatedAt: t0 + 2000 });
    await apply(['msg_old', older], ['msg_new', newer]);
    for (const id of ['msg_old', 'msg_new']) {
      expect(await store().requeue(id, t0)).toBe(true);
      await store().claimDue('w', t0 + 1_000_000, 1000, 100);
      const c = id === 'msg_old' ? older : newer;
      expect(
        await store().settle(id, 'w', { status: 'processed', effects: { membershipChanges: [c] } }, t0),
      ).toBe(true);
      expect(await read()).toEqual({ ...newer, webhookId: 'msg_new' });
    }
  });

  it('keeps the newest of several changes to one membership settled in one batch', async () => {
    const ids = ['msg_1', 'msg_2', 'msg_3'];
    for (const id of ids) await store().insertDelivery(delivery(id, { type: 'membership.activated' }));
    await store().claimDue('w', t0 + 1_000_000, 1000, 100);
    const states = [
      change({ status: 'active', updatedAt: t0 + 1000 }),
      change({ status: 'expired', updatedAt: t0 + 3000 }),
      change({ status: 'past_due', updatedAt: t0 + 2000 }),
    ];
    const settled = await store().settleMany!(
      'w',
      ids.map((webhookId, i) => ({
        webhookId,
        settlement: { status: 'processed', effects: { membershipChanges: [states[i]!] } },
      })),
      t0,
    );
    expect(settled).toEqual([true, true, true]);
    expect(await read()).toEqual({ ...states[1], webhookId: 'msg_2' });
  });

  it('writes nothing for a settlement whose claim was lost', async () => {
    await store().insertDelivery(delivery('msg_1', { type: 'membership.activated' }));
    await store().claimDue('w1', t0 + 1_000_000, 1000, 100);
    const lost = await store().settle(
      'msg_1',
      'w2',
      { status: 'processed', effects: { membershipChanges: [change()] } },
      t0,
    );
    expect(lost).toBe(false);
    expect(await read()).toBeNull();
  });

  it('pages by membership id and filters by user and status', async () => {
    await apply(
      ['msg_c', change({ membershipId: 'mem_c', userId: 'user_2', status: 'canceled' })],
      ['msg_a', change({ membershipId: 'mem_a', userId: 'user_1' })],
      ['msg_d', change({ membershipId: 'mem_d', userId: 'user_1', status: 'canceled' })],
      ['msg_b', change({ membershipId: 'mem_b', userId: 'user_1' })],
    );
    const reader = store().reader(memberships);
    const first = await reader.listMemberships({ limit: 3 });
    expect(first.memberships.map((m) => m.membershipId)).toEqual(['mem_a', 'mem_b', 'mem_c']);
    expect(first.nextCursor).not.toBeNull();
    const second = await reader.listMemberships({ limit: 3, cursor: first.nextCursor! });
    expect(second).toEqual({
      memberships: [
        { ...change({ membershipId: 'mem_d', userId: 'user_1', status: 'canceled' }), webhookId: 'msg_d' },
      ],
      nextCursor: null,
    });
    const mine = await reader.listMemberships({ limit: 10, userId: 'user_1' });
    expect(mine.memberships.map((m) => m.membershipId)).toEqual(['mem_a', 'mem_b', 'mem_d']);
    const canceled = await reader.listMemberships({ limit: 1, status: 'canceled' });
    expect(canceled.memberships.map((m) => m.membershipId)).toEqual(['mem_c']);
    const next = await reader.listMemberships({ limit: 1, status: 'canceled', cursor: canceled.nextCursor! });
    expect(next.memberships.map((m) => m.membershipId)).toEqual(['mem_d']);
    expect(next.nextCursor).toBeNull();
    const both = await reader.listMemberships({ limit: 10, userId: 'user_1', status: 'active' });
    expect(both.memberships.map((m) => m.membershipId)).toEqual(['mem_a', 'mem_b']);
  });

  it('ends a page early when the byte budget is spent, always taking the first item', async () => {
    await apply(
      ['msg_a', change({ membershipId: 'mem_a' })],
      ['msg_b', change({ membershipId: 'mem_b' })],
      ['msg_c', change({ membershipId: 'mem_c' })],
    );
    const budget = { maxBytes: 15, sizeOf: () => 10 };
    const reader = store().reader(memberships);
    const first = await reader.listMemberships({ limit: 10, budget });
    expect(first.memberships.map((m) => m.membershipId)).toEqual(['mem_a']);
    const second = await reader.listMemberships({ limit: 10, budget, cursor: first.nextCursor! });
    expect(second.memberships.map((m) => m.membershipId)).toEqual(['mem_b']);
  });

  it('answers null for an unknown membership and invalid_cursor for a cursor it did not issue', async () => {
    expect(await read('mem_nope')).toBeNull();
    await expect(
      store().reader(memberships).listMemberships({ limit: 1, cursor: 'bm9wZQ' }),
    ).rejects.toMatchObject({
      code: 'invalid_cursor',
    });
  });
});
