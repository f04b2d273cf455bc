import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stillHeldAfterGc } from '../../test-support/garbage.js';
import { DeadlineQueue, DeadlineQueues } from './deadlineQueue.js';

describe('DeadlineQueue', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires each live deadline once its duration has passed, in the order they were added', () => {
    const queue = new DeadlineQueue(100, () => Date.now());
    const fired: string[] = [];
    queue.add(() => fired.push('a'));
    vi.advanceTimersByTime(40);
    queue.add(() => fired.push('b'));
    vi.advanceTimersByTime(59);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['a']);
    vi.advanceTimersByTime(39);
    expect(fired).toEqual(['a']);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['a', 'b']);
    expect(queue.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never fires a cancelled deadline, even one behind a live one', () => {
    const queue = new DeadlineQueue(100, () => Date.now());
    const fired: string[] = [];
    queue.add(() => fired.push('a'));
    const b = queue.add(() => fired.push('b'));
    queue.add(() => fired.push('c'));
    b.cancel();
    b.cancel();
    vi.advanceTimersByTime(100);
    expect(fired).toEqual(['a', 'c']);
  });

  it('drops cancelled entries from the front and stops its timer when nothing is left', () => {
    const queue = new DeadlineQueue(15_000, () => Date.now());
    const deadlines = Array.from({ length: 5 }, () => queue.add(() => {}));
    expect(queue.size).toBe(5);
    expect(vi.getTimerCount()).toBe(1);
    deadlines[1]?.cancel();
    // The oldest is still live, so the cancelled one behind it waits to be dropped.
    expect(queue.size).toBe(5);
    deadlines[0]?.cancel();
    expect(queue.size).toBe(3);
    for (const deadline of deadlines) deadline.cancel();
    expect(queue.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps timing what was added after the timer last fired', () => {
    const queue = new DeadlineQueue(50, () => Date.now());
    const fired: number[] = [];
    queue.add(() => fired.push(1)).cancel();
    queue.add(() => fired.push(2));
    vi.advanceTimersByTime(30);
    queue.add(() => fired.push(3));
    vi.advanceTimersByTime(20);
    expect(fired).toEqual([2]);
    vi.advanceTimersByTime(30);
    expect(fired).toEqual([2, 3]);
  });

  it('keeps timing the deadlines behind one that fired or was cancelled, and those added after', () => {
    const queue = new DeadlineQueue(100, () => Date.now());
    const fired: string[] = [];
    queue.add(() => fired.push('a')).cancel();
    queue.add(() => fired.push('b'));
    queue.add(() => fired.push('c'));
    vi.advanceTimersByTime(50);
    queue.add(() => fired.push('d'));
    vi.advanceTimersByTime(50);
    expect(fired).toEqual(['b', 'c']);
    queue.add(() => fired.push('e'));
    expect(queue.size).toBe(2);
    vi.advanceTimersByTime(100);
    expect(fired).toEqual(['b', 'c', 'd', 'e']);
    expect(queue.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('wakes only when the oldest live deadline is due, not in between', () => {
    vi.setSystemTime(0);
    const queue = new DeadlineQueue(100, () => Date.now());
    const fired: string[] = [];
    queue.add(() => fired.push('a'));
    vi.advanceTimersByTime(40);
    queue.add(() => fired.push('b'));
    vi.advanceTimersToNextTimer();
    expect([Date.now(), fired]).toEqual([100, ['a']]);
    vi.advanceTimersToNextTimer();
    expect([Date.now(), fired]).toEqual([140, ['a', 'b']]);
  });

  it('times a deadline added by an expiring callback with its one timer, stopped when that is cancelled', () => {
    const queue = new DeadlineQueue(100, () => Date.now());
    const fired: string[] = [];
    let added: { cancel(): void } | undefined;
    queue.add(() => {
      fired.push('a');
      added = queue.add(() => fired.push('b'));
    });
    vi.advanceTimersByTime(100);
    expect(fired).toEqual(['a']);
    expect(vi.getTimerCount()).toBe(1);
    added?.cancel();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('clear cancels everything and stops the timer', () => {
    const queue = new DeadlineQueue(10, () => Date.now());
    const fired: number[] = [];
    const first = queue.add(() => fired.push(1));
    queue.add(() => fired.push(2));
    queue.clear();
    first.cancel();
    vi.advanceTimersByTime(100);
    expect(fired).toEqual([]);
    expect(queue.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('DeadlineQueue and memory', () => {
  it('lets go of the callbacks it cleared (and what they hold) while their deadlines are still held', async () => {
    const queue = new DeadlineQueue(60_000);
    // Built in a helper, so that only the callback refers to the request it closes over.
    const addHolding = () => {
      const request = { body: Buffer.alloc(1024) };
      return { deadline: queue.add(() => request.body.fill(0)), request: new WeakRef(request) };
    };
    const held = [addHolding(), addHolding()];
    queue.clear();
    expect(await stillHeldAfterGc(held.map((h) => h.request))).toBe(0);
    for (const h of held) h.deadline.cancel();
  });
});

describe('DeadlineQueues', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('times each deadline by its own duration, with one timer per duration', () => {
    const queues = new DeadlineQueues();
    const fired: string[] = [];
    queues.add(100, () => fired.push('a'));
    queues.add(30, () => fired.push('b'));
    queues.add(100, () => fired.push('c'));
    expect(vi.getTimerCount()).toBe(2);
    vi.advanceTimersByTime(30);
    expect(fired).toEqual(['b']);
    vi.advanceTimersByTime(70);
    expect(fired).toEqual(['b', 'a', 'c']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('times each deadline from when it was added, on the default clock', () => {
    const queues = new DeadlineQueues();
    const fired: string[] = [];
    queues.add(100, () => fired.push('a'));
    vi.advanceTimersByTime(40);
    queues.add(100, () => fired.push('b'));
    vi.advanceTimersByTime(60);
    expect(fired).toEqual(['a']);
    vi.advanceTimersByTime(39);
    expect(fired).toEqual(['a']);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['a', 'b']);
  });

  it('clear cancels every deadline of every duration and stops the timers', () => {
    const queues = new DeadlineQueues();
    const fired: number[] = [];
    queues.add(10, () => fired.push(1));
    queues.add(20, () => fired.push(2));
    queues.clear();
    vi.advanceTimersByTime(100);
    expect(fired).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
