import { describe, expect, it } from 'vitest';
import { PendingInsertLimit } from './PendingInsertLimit.js';

const overloaded = (count: number, bytes: number) =>
  expect.objectContaining({
    code: 'store_overloaded',
    message:
      `The store has ${count} deliveries (${bytes} bytes) waiting to be written, its limit ` +
      '(STORE_MAX_PENDING / STORE_MAX_PENDING_BYTES): the database is slower than the incoming traffic; retry later',
  });

describe('PendingInsertLimit', () => {
  it('admits up to maxPending deliveries and refuses the next, saying how much waits', () => {
    const limit = new PendingInsertLimit({ maxPending: 3 });
    for (let i = 0; i < 3; i++) limit.admit(10);
    expect(() => limit.admit(0)).toThrow(overloaded(3, 30));
    limit.leave(10);
    expect(() => limit.admit(10)).not.toThrow();
    expect(() => limit.admit(10)).toThrow(overloaded(3, 30));
  });

  it('admits bodies up to exactly maxPendingBytes and refuses a byte more', () => {
    const limit = new PendingInsertLimit({ maxPendingBytes: 100 });
    limit.admit(60);
    expect(() => limit.admit(41)).toThrow(overloaded(1, 60));
    limit.admit(40);
    expect(() => limit.admit(1)).toThrow(overloaded(2, 100));
    limit.leave(40);
    expect(() => limit.admit(40)).not.toThrow();
  });

  it('defaults to 10000 deliveries and 64 MiB of bodies', () => {
    const byCount = new PendingInsertLimit();
    for (let i = 0; i < 10_000; i++) byCount.admit(0);
    expect(() => byCount.admit(0)).toThrow(overloaded(10_000, 0));

    const byBytes = new PendingInsertLimit();
    byBytes.admit(64 * 1024 * 1024);
    expect(() => byBytes.admit(1)).toThrow(overloaded(1, 64 * 1024 * 1024));
  });

  it('never counts below empty when more leaves than came', () => {
    const limit = new PendingInsertLimit({ maxPending: 1, maxPendingBytes: 10 });
    limit.leave(5);
    limit.admit(10);
    expect(() => limit.admit(0)).toThrow(overloaded(1, 10));
  });
});
