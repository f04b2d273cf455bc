// Timeouts for many in-flight attempts with one timer. Every entry of a queue has the same duration,
// so deadlines come due in the order entries were added: a FIFO whose oldest live entry is the next
// to expire. Cancelling marks an entry (and lets go of its callback); finished entries are unlinked
// from the front, so a queue holds about as many entries as there are attempts in flight.

export interface Deadline {
  /** Stops the deadline from firing; harmless after it fired or was cancelled. */
  cancel(): void;
}

const noop = () => {};

class Entry implements Deadline {
  live = true;
  next: Entry | undefined;

  constructor(
    readonly queue: DeadlineQueue,
    readonly dueAt: number,
    public onExpire: () => void,
  ) {}

  cancel(): void {
    if (!this.live) return;
    this.live = false;
    // Let go of the callback (and the request it closes over) now, not when the entry is dropped.
    this.onExpire = noop;
    this.queue.dropFinished();
  }
}

export class DeadlineQueue {
  private first: Entry | undefined;
  private last: Entry | undefined;
  private count = 0;
  private timer: NodeJS.Timeout | undefined;

  /** @param ms the duration of every deadline in this queue. */
  constructor(
    private readonly ms: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Calls `onExpire` `ms` from now unless the returned deadline is cancelled first. */
  add(onExpire: () => void): Deadline {
    const entry = new Entry(this, this.now() + this.ms, onExpire);
    if (this.last === undefined) this.first = entry;
    else this.last.next = entry;
    this.last = entry;
    this.count++;
    if (this.timer === undefined) this.arm(this.ms);
    return entry;
  }

  /** How many entries are held (live, or cancelled but not yet dropped from the front). */
  get size(): number {
    return this.count;
  }

  /** Cancels everything and stops the timer. */
  clear(): void {
    for (let entry = this.first; entry !== undefined; entry = entry.next) {
      entry.live = false;
      entry.onExpire = noop;
    }
    this.first = undefined;
    this.last = undefined;
    this.count = 0;
    this.disarm();
  }

  /** @internal Drops finished entries from the front; stops the timer when nothing is left. */
  dropFinished(): void {
    while (this.first !== undefined && !this.first.live) this.shift();
    // Nothing left to time: a pending timer would only keep the process alive.
    if (this.first === undefined) this.disarm();
  }

  private shift(): void {
    const entry = this.first as Entry;
    this.first = entry.next;
    entry.next = undefined;
    if (this.first === undefined) this.last = undefined;
    this.count--;
  }

  private arm(delayMs: number): void {
    this.timer = setTimeout(this.expire, Math.max(1, delayMs));
  }

  private disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly expire = (): void => {
    this.timer = undefined;
    const now = this.now();
    for (let entry = this.first; entry !== undefined; entry = this.first) {
      if (entry.live && entry.dueAt > now) break;
      this.shift();
      if (entry.live) {
        entry.live = false;
        const onExpire = entry.onExpire;
        entry.onExpire = noop;
        onExpire();
      }
    }
    this.dropFinished();
    if (this.first !== undefined && this.timer === undefined) this.arm(this.first.dueAt - now);
  };
}

/** One DeadlineQueue per duration: a client's attempts may use different timeouts (check, send). */
export class DeadlineQueues {
  private readonly queues = new Map<number, DeadlineQueue>();

  /** Calls `onExpire` `ms` from now unless the returned deadline is cancelled first. */
  add(ms: number, onExpire: () => void): Deadline {
    let queue = this.queues.get(ms);
    if (queue === undefined) {
      queue = new DeadlineQueue(ms);
      this.queues.set(ms, queue);
    }
    return queue.add(onExpire);
  }

  /** Cancels every deadline and stops the timers. */
  clear(): void {
    for (const queue of this.queues.values()) queue.clear();
  }
}
