import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type StoreHealth, StoreHealthProbe } from './StoreHealthProbe.js';

/** A ping the test settles by hand, counting how often the store was asked. */
function controlledPing() {
  const pending: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  return {
    pending,
    ping: () =>
      new Promise<void>((resolve, reject) => {
        pending.push({ resolve, reject });
      }),
  };
}

describe('StoreHealthProbe', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers ok when the store answers, and pings again for a check after that one', async () => {
    let pings = 0;
    const probe = new StoreHealthProbe(async () => {
      pings++;
    });
    expect(await probe.check()).toEqual({ ok: true });
    expect(await probe.check()).toEqual({ ok: true });
    expect(pings).toBe(2);
  });

  it('shares one ping among the checks that arrive while it runs', async () => {
    const { pending, ping } = controlledPing();
    const probe = new StoreHealthProbe(ping);
    const checks = Array.from({ length: 10 }, () => probe.check());
    await vi.advanceTimersByTimeAsync(0);
    expect(pending).toHaveLength(1);
    pending[0]!.resolve();
    expect(await Promise.all(checks)).toEqual(Array.from({ length: 10 }, () => ({ ok: true })));
  });

  it('answers timeout at the limit while the ping hangs, then at once without asking the store again', async () => {
    const { pending, ping } = controlledPing();
    const failures: StoreHealth[] = [];
    const probe = new StoreHealthProbe(ping, { timeoutMs: 2000, onFailure: (h) => failures.push(h) });
    const first = probe.check();
    let firstAnswer: StoreHealth | undefined;
    void first.then((h) => {
      firstAnswer = h;
    });
    await vi.advanceTimersByTimeAsync(1999);
    expect(firstAnswer).toBeUndefined();
    // A check arriving while the ping is in flight waits only for what is left of its limit.
    const second = probe.check();
    await vi.advanceTimersByTimeAsync(1);
    const overdue = {
      ok: false,
      failure: 'timeout',
      message: 'The event store has not answered the health check for 2000 ms (limit 2000 ms)',
    };
    expect(firstAnswer).toEqual(overdue);
    expect(await second).toEqual(overdue);

    // Ten seconds into the hang: answered at once, still one ping in flight, reported once.
    await vi.advanceTimersByTimeAsync(8000);
    const later = await Promise.all(Array.from({ length: 5 }, () => probe.check()));
    expect(later).toEqual(
      Array.from({ length: 5 }, () => ({
        ok: false,
        failure: 'timeout',
        message: 'The event store has not answered the health check for 10000 ms (limit 2000 ms)',
      })),
    );
    expect(pending).toHaveLength(1);
    expect(failures).toEqual([overdue]);

    // Once the hung ping fails (the connection is cut), the next check asks the store afresh.
    pending[0]!.reject(new Error('Connection terminated unexpectedly'));
    await vi.advanceTimersByTimeAsync(0);
    const recovered = probe.check();
    await vi.advanceTimersByTimeAsync(0);
    expect(pending).toHaveLength(2);
    pending[1]!.resolve();
    expect(await recovered).toEqual({ ok: true });
    // The late failure of the overdue ping was not reported a second time.
    expect(failures).toHaveLength(1);
  });

  it('answers error when the store fails, keeping its words out of the answer and giving them to onFailure', async () => {
    const failures: StoreHealth[] = [];
    const cause = new Error('connect ECONNREFUSED 10.1.2.3:5432');
    const probe = new StoreHealthProbe(() => Promise.reject(cause), { onFailure: (h) => failures.push(h) });
    const health = await probe.check();
    expect(health).toEqual({
      ok: false,
      failure: 'error',
      message: 'The event store answered the health check with an error (logged by the receiver)',
      cause,
    });
    expect(JSON.stringify(health)).not.toContain('10.1.2.3');
    expect(failures).toEqual([health]);
  });

  it('turns a ping that throws instead of rejecting into an error answer', async () => {
    const probe = new StoreHealthProbe(() => {
      throw new Error('closed');
    });
    expect(await probe.check()).toMatchObject({ ok: false, failure: 'error' });
  });

  it('refuses a time limit that is not a whole number of ms >= 1', () => {
    for (const timeoutMs of [0, -1, 1.5, Number.NaN]) {
      expect(() => new StoreHealthProbe(async () => {}, { timeoutMs })).toThrow(
        `the health check time limit must be a whole number of ms >= 1, got ${timeoutMs}`,
      );
    }
  });
});
