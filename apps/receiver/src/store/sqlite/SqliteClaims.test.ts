// SqliteClaims against a table kept in a Map: which events each claim hands out, and when the
// table is searched for due rows nobody announced (a row written there is only found by a search).
import type { KnownEvent } from '@webhook-contracts/schema';
import { describe, expect, it } from 'vitest';
import type { SettleRow } from '../core/settlementColumns.js';
import { type ClaimSettlement, type DueRow, SqliteClaims } from './SqliteClaims.js';

interface TableRow extends DueRow {
  dueAt: number | null;
}

/** The due rows of a table, as SqliteStore's `due` statement reads them. */
class Table {
  readonly rows = new Map<string, TableRow>();

  put(webhookId: string, dueAt: number | null, attempts = 0): void {
    this.rows.set(webhookId, {
      webhook_id: webhookId,
      type: 't',
      body: Buffer.from(webhookId),
      attempts,
      dueAt,
    });
  }

  readDue = (now: number, leased: readonly string[], wanted: number): DueRow[] =>
    [...this.rows.values()]
      .filter((r) => r.dueAt !== null && r.dueAt <= now && !leased.includes(r.webhook_id))
      .slice(0, wanted);

  /** What SqliteStore's settleClaims writes: the settlement and the attempt its claim counted. */
  write = async (held: ClaimSettlement[]): Promise<boolean[]> =>
    held.map((s) => {
      const row = this.rows.get(s.webhookId);
      if (row === undefined) return false;
      row.dueAt = s.nextAttemptAt;
      row.attempts = s.attempts;
      return true;
    });
}

const t0 = 1_000_000;

function settlement(webhookId: string, overrides: Partial<SettleRow> = {}): SettleRow {
  return {
    webhookId,
    status: 'processed',
    errors: null,
    errorCount: null,
    processedAt: t0,
    lastError: null,
    nextAttemptAt: null,
    effects: {},
    ...overrides,
  };
}

const ids = (claimed: { webhookId: string }[]) => claimed.map((c) => c.webhookId);

describe('SqliteClaims', () => {
  it('hands out fresh rows that are due, in order, up to the limit, each to one worker until its lease ends', () => {
    const table = new Table();
    const claims = new SqliteClaims();
    for (const [id, dueAt] of [
      ['msg_1', t0],
      ['msg_later', t0 + 50],
      ['msg_2', t0 - 10],
      ['msg_3', t0],
    ] as const) {
      table.put(id, dueAt);
      claims.created(id, 't', Buffer.from(`fresh ${id}`), dueAt);
    }
    const first = claims.claim('w1', t0, 100, 2, table.readDue);
    expect(first).toEqual([
      {
        webhookId: 'msg_1',
        type: 't',
        body: Buffer.from('fresh msg_1'),
        attempts: 1,
        claimedBy: 'w1',
        leaseUntil: t0 + 100,
      },
      {
        webhookId: 'msg_2',
        type: 't',
        body: Buffer.from('fresh msg_2'),
        attempts: 1,
        claimedBy: 'w1',
        leaseUntil: t0 + 100,
      },
    ]);
    expect(ids(claims.claim('w2', t0, 100, 10, table.readDue))).toEqual(['msg_3']);
    expect(ids(claims.claim('w2', t0 + 50, 100, 10, table.readDue))).toEqual(['msg_later']);
    // Still leased one millisecond before the lease ends; at its end the table hands them out again.
    expect(claims.claim('w3', t0 + 99, 100, 10, table.readDue)).toEqual([]);
    const again = claims.claim('w3', t0 + 100, 100, 10, table.readDue);
    expect(ids(again)).toEqual(['msg_1', 'msg_2', 'msg_3']);
    // The expired lease counted its attempt although nothing was written.
    expect(again.map((c) => c.attempts)).toEqual([2, 2, 2]);
  });

  it('hands over the validated event with a fresh row, and none with a row read from the table', () => {
    const table = new Table();
    const claims = new SqliteClaims();
    // Opaque to the claims: handed back as it was handed in.
    const event = { id: 'evt_fresh' } as unknown as KnownEvent;
    table.put('msg_fresh', t0);
    table.put('msg_stored', t0);
    claims.created('msg_fresh', 't', Buffer.from('fresh'), t0, event);
    const claimed = claims.claim('w', t0, 100, 10, table.readDue);
    expect(claimed.map((c) => [c.webhookId, c.event])).toEqual([
      ['msg_fresh', event],
      ['msg_stored', undefined],
    ]);
    expect(claimed[0]!.event).toBe(event);
  });

  it('ignores a created row that a worker already claimed from the table', async () => {
    const table = new Table();
    const claims = new SqliteClaims();
    table.put('msg_early', t0);
    expect(ids(claims.claim('w1', t0, 100, 10, table.readDue))).toEqual(['msg_early']);
    claims.created('msg_early', 't', Buffer.from('x'), t0);
    expect(await claims.settle('w1', [settlement('msg_early')], table.write)).toEqual([true]);
    expect(claims.claim('w2', t0 + 1, 100, 10, table.readDue)).toEqual([]);
  });

  it('searches the table for unannounced rows once a second, at once after a full page', () => {
    const table = new Table();
    const claims = new SqliteClaims();
    // The first claim always searches (rows may be left from before a restart).
    table.put('msg_old', t0 - 5, 3);
    expect(claims.claim('w', t0, 10_000, 10, table.readDue)).toMatchObject([
      { webhookId: 'msg_old', attempts: 4 },
    ]);
    table.put('msg_unannounced', t0);
    expect(claims.claim('w', t0 + 999, 10_000, 10, table.readDue)).toEqual([]);
    expect(ids(claims.claim('w', t0 + 1000, 10_000, 10, table.readDue))).toEqual(['msg_unannounced']);

    // A search that filled its page may have left rows behind: the next claim searches again.
    for (const id of ['msg_a', 'msg_b', 'msg_c']) table.put(id, t0);
    expect(ids(claims.claim('w', t0 + 2000, 10_000, 2, table.readDue))).toEqual(['msg_a', 'msg_b']);
    expect(ids(claims.claim('w', t0 + 2000, 10_000, 2, table.readDue))).toEqual(['msg_c']);
    table.put('msg_d', t0);
    expect(claims.claim('w', t0 + 2001, 10_000, 2, table.readDue)).toEqual([]);
  });

  it('searches when a settled retry falls due, before the next periodic search', async () => {
    const table = new Table();
    const claims = new SqliteClaims();
    table.put('msg_retry', t0);
    claims.claim('w', t0, 10_000, 10, table.readDue);
    expect(
      await claims.settle(
        'w',
        [settlement('msg_retry', { status: 'failed', nextAttemptAt: t0 + 300 })],
        table.write,
      ),
    ).toEqual([true]);
    expect(claims.claim('w', t0 + 299, 10_000, 10, table.readDue)).toEqual([]);
    expect(claims.claim('w', t0 + 300, 10_000, 10, table.readDue)).toMatchObject([
      { webhookId: 'msg_retry', attempts: 2 },
    ]);
  });

  it('searches once when a retry falls due, then not again before the next reason to', async () => {
    const table = new Table();
    const claims = new SqliteClaims();
    table.put('msg_retry', t0);
    claims.claim('w', t0, 10_000, 10, table.readDue);
    await claims.settle(
      'w',
      [settlement('msg_retry', { status: 'failed', nextAttemptAt: t0 + 300 })],
      table.write,
    );
    expect(ids(claims.claim('w', t0 + 300, 10_000, 10, table.readDue))).toEqual(['msg_retry']);
    // That retry was found: the next search is the periodic one.
    table.put('msg_unannounced', t0);
    expect(claims.claim('w', t0 + 301, 10_000, 10, table.readDue)).toEqual([]);
    expect(ids(claims.claim('w', t0 + 1300, 10_000, 10, table.readDue))).toEqual(['msg_unannounced']);
  });

  it('keeps at most 2000 fresh rows in memory, and searches the table at once for the rest', () => {
    const table = new Table();
    const claims = new SqliteClaims();
    // The first claim's search, so that only the overflow can call for the next one.
    expect(claims.claim('w', t0, 10_000, 10, table.readDue)).toEqual([]);
    const created = Array.from({ length: 2001 }, (_, i) => `msg_${String(i).padStart(4, '0')}`);
    for (const id of created) {
      table.put(id, t0);
      claims.created(id, 't', Buffer.from(`fresh ${id}`), t0);
    }
    const claimed = claims.claim('w', t0 + 1, 10_000, 5000, table.readDue);
    expect(ids(claimed)).toEqual(created);
    // The 2001st was not kept: it came from the table.
    expect(claimed.filter((c) => c.body.toString().startsWith('fresh ')).length).toBe(2000);
    expect(claimed[2000]!.body).toEqual(Buffer.from('msg_2000'));
  });

  it('settles only the claims the worker holds, for the attempt it names, and releases them', async () => {
    const table = new Table();
    const claims = new SqliteClaims();
    for (const id of ['msg_1', 'msg_2', 'msg_3']) table.put(id, t0);
    claims.claim('w1', t0, 100, 2, table.readDue);
    claims.claim('w2', t0, 100, 1, table.readDue);
    const settled = await claims.settle(
      'w1',
      [
        settlement('msg_1', { attempts: 1 }),
        settlement('msg_2', { attempts: 2 }),
        settlement('msg_3'),
        settlement('msg_unknown'),
      ],
      table.write,
    );
    expect(settled).toEqual([true, false, false, false]);
    expect(table.rows.get('msg_1')).toMatchObject({ dueAt: null, attempts: 1 });
    expect(table.rows.get('msg_2')).toMatchObject({ dueAt: t0, attempts: 0 });
    // A claim is released by its settlement: a second one for it is not the worker's any more.
    expect(await claims.settle('w1', [settlement('msg_1')], table.write)).toEqual([false]);
    expect(await claims.settle('w2', [settlement('msg_3')], table.write)).toEqual([true]);
  });

  it('answers each row of a settlement in its place, whatever rows come before it', async () => {
    const table = new Table();
    const claims = new SqliteClaims();
    for (const id of ['msg_mine_1', 'msg_mine_2', 'msg_theirs']) table.put(id, t0);
    claims.claim('w1', t0, 100, 2, table.readDue);
    claims.claim('w2', t0, 100, 1, table.readDue);
    expect(
      await claims.settle(
        'w1',
        [
          settlement('msg_theirs'),
          settlement('msg_mine_1', { attempts: 9 }),
          settlement('msg_mine_1'),
          settlement('msg_mine_2'),
        ],
        table.write,
      ),
    ).toEqual([false, false, true, true]);
  });

  it('never hands out more than the limit when fresh rows and a search both find some', () => {
    const table = new Table();
    const claims = new SqliteClaims();
    claims.created('msg_fresh', 't', Buffer.from('x'), t0);
    for (const id of ['msg_a', 'msg_b', 'msg_c']) table.put(id, t0);
    expect(ids(claims.claim('w', t0, 100, 2, table.readDue))).toEqual(['msg_fresh', 'msg_a']);
  });

  it('counts a settlement the table has no row for as not written', async () => {
    const table = new Table();
    const claims = new SqliteClaims();
    claims.created('msg_gone', 't', Buffer.from('x'), t0);
    claims.claim('w', t0, 100, 10, table.readDue);
    expect(await claims.settle('w', [settlement('msg_gone')], table.write)).toEqual([false]);
  });

  it('keeps a claim being settled from anyone else, and gives it back if the write fails', async () => {
    const table = new Table();
    const claims = new SqliteClaims();
    table.put('msg_s', t0);
    claims.claim('w', t0, 100, 10, table.readDue);
    let finish: (value: boolean[]) => void = () => {};
    const slow = claims.settle(
      'w',
      [settlement('msg_s')],
      () => new Promise((resolve) => (finish = resolve)),
    );
    // The lease ran out while the settlement is written: nobody may take the event meanwhile.
    expect(claims.claim('w2', t0 + 500, 100, 10, table.readDue)).toEqual([]);
    expect(await claims.settle('w', [settlement('msg_s')], table.write)).toEqual([false]);
    finish([true]);
    expect(await slow).toEqual([true]);

    table.put('msg_f', t0);
    claims.claim('w', t0 + 2000, 100, 10, table.readDue);
    await expect(
      claims.settle('w', [settlement('msg_f')], () => Promise.reject(new Error('disk full'))),
    ).rejects.toThrow('disk full');
    expect(await claims.settle('w', [settlement('msg_f')], table.write)).toEqual([true]);
  });

  it('writes nothing when the worker holds none of the rows it settles', async () => {
    const table = new Table();
    const claims = new SqliteClaims();
    table.put('msg_theirs', t0);
    claims.claim('w1', t0, 100, 10, table.readDue);
    const write = () => Promise.reject(new Error('nothing should be written'));
    expect(await claims.settle('w2', [settlement('msg_theirs'), settlement('msg_unknown')], write)).toEqual([
      false,
      false,
    ]);
  });

  it('leaves the new holder its claim when the event was requeued while the old one was settling', async () => {
    const table = new Table();
    const claims = new SqliteClaims();
    table.put('msg_r', t0);
    claims.claim('w1', t0, 100, 10, table.readDue);
    let finish: (value: boolean[]) => void = () => {};
    const slow = claims.settle(
      'w1',
      [settlement('msg_r')],
      () => new Promise((resolve) => (finish = resolve)),
    );
    claims.requeued('msg_r');
    expect(claims.claim('w2', t0 + 1, 100, 10, table.readDue)).toMatchObject([
      { webhookId: 'msg_r', claimedBy: 'w2' },
    ]);
    finish([true]);
    await slow;
    expect(await claims.settle('w2', [settlement('msg_r')], table.write)).toEqual([true]);
  });

  it('takes a requeued event from its holder and finds it in the table at once', () => {
    const table = new Table();
    const claims = new SqliteClaims();
    table.put('msg_r', t0);
    claims.created('msg_r', 't', Buffer.from('fresh'), t0);
    claims.claim('w1', t0, 10_000, 10, table.readDue);
    claims.requeued('msg_r');
    expect(claims.claim('w2', t0 + 1, 10_000, 10, table.readDue)).toMatchObject([
      { webhookId: 'msg_r', claimedBy: 'w2', body: Buffer.from('msg_r') },
    ]);
  });

  it('gives up a row read from the table that reached maxAttempts, voiding an expired lease on it; fresh rows never', async () => {
    const table = new Table();
    const claims = new SqliteClaims();
    const givenUp: string[] = [];
    const cap = {
      maxAttempts: 2,
      giveUp: (row: DueRow) => givenUp.push(`${row.webhook_id}:${row.attempts}`),
    };
    table.put('msg_spent', t0, 2);
    table.put('msg_left', t0, 1);
    table.put('msg_fresh', t0);
    claims.created('msg_fresh', 't', Buffer.from('x'), t0);
    const first = claims.claim('w1', t0, 100, 10, table.readDue, cap);
    expect(first.map((c) => [c.webhookId, c.attempts])).toEqual([
      ['msg_fresh', 1],
      ['msg_left', 2],
    ]);
    expect(givenUp).toEqual(['msg_spent:2']);
    // msg_left's lease runs out with its attempt written (as SqliteStore writes it when claiming).
    table.rows.get('msg_left')!.attempts = 2;
    table.rows.delete('msg_spent');
    const second = claims.claim('w2', t0 + 100, 100, 10, table.readDue, cap);
    expect(ids(second)).toEqual(['msg_fresh']);
    expect(givenUp).toEqual(['msg_spent:2', 'msg_left:2']);
    // Its holder comes back too late: the lease it had is gone.
    expect(await claims.settle('w1', [settlement('msg_left')], table.write)).toEqual([false]);
  });

  it('drops claims whose attempt could not be written, and finds their rows in the table at once', () => {
    const table = new Table();
    const claims = new SqliteClaims();
    table.put('msg_1', t0);
    claims.created('msg_1', 't', Buffer.from('x'), t0);
    expect(ids(claims.claim('w1', t0, 30_000, 10, table.readDue))).toEqual(['msg_1']);
    // The periodic search is not due yet: without the release the row would wait for it.
    expect(claims.claim('w2', t0 + 1, 30_000, 10, table.readDue)).toEqual([]);
    claims.released(['msg_1']);
    const again = claims.claim('w2', t0 + 2, 30_000, 10, table.readDue);
    expect(again.map((c) => [c.webhookId, c.claimedBy, c.attempts])).toEqual([['msg_1', 'w2', 1]]);
  });

  it('forgets every claim and fresh row when cleared', () => {
    const table = new Table();
    const claims = new SqliteClaims();
    claims.created('msg_fresh', 't', Buffer.from('x'), t0 + 10);
    table.put('msg_held', t0);
    expect(ids(claims.claim('w1', t0, 10_000, 10, table.readDue))).toEqual(['msg_held']);
    claims.clear();
    expect(ids(claims.claim('w2', t0 + 1000, 10_000, 10, table.readDue))).toEqual(['msg_held']);
  });
});
