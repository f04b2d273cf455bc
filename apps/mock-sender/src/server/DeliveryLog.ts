// The last deliveries, for `GET /deliveries`. Much of a record is foreign (a replayed event's id
// and type come from the source's export, a failure reason from the receiver's answer), so each
// string is cut to a fixed length when it is stored, and a page stops at a byte budget: neither
// the ring's memory nor one answer can grow with what a source or receiver sends.
import type { AttemptRecord } from '../sending/deliverEvent.js';
import type { DeliveryRecord } from '../sending/send.js';

/** Longest id, type, target and reason kept, in characters. */
export const RECORD_LIMITS = { id: 256, type: 200, to: 2048, reason: 300 } as const;
/** Most JSON bytes one page of GET /deliveries holds. */
export const MAX_PAGE_BYTES = 1024 * 1024;

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

function bounded(record: DeliveryRecord): DeliveryRecord {
  const attempts = record.attempts.map(
    (a): AttemptRecord =>
      a.reason === undefined ? a : { ...a, reason: cut(a.reason, RECORD_LIMITS.reason) },
  );
  return {
    ...record,
    id: cut(record.id, RECORD_LIMITS.id),
    type: cut(record.type, RECORD_LIMITS.type),
    to: cut(record.to, RECORD_LIMITS.to),
    attempts,
  };
}

interface Stored {
  record: DeliveryRecord;
  /** Its JSON size in bytes (with the comma between records). */
  bytes: number;
}

/** The last `capacity` deliveries (a ring buffer), each string bounded. */
export class DeliveryLog {
  private readonly items: Stored[] = [];
  private start = 0;

  constructor(
    private readonly capacity = 1000,
    private readonly maxPageBytes = MAX_PAGE_BYTES,
  ) {}

  add(delivery: DeliveryRecord): void {
    const record = bounded(delivery);
    const stored = { record, bytes: Buffer.byteLength(JSON.stringify(record)) + 1 };
    if (this.items.length < this.capacity) this.items.push(stored);
    else {
      this.items[this.start] = stored;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  /**
   * Oldest first: the most recent `limit` deliveries, fewer when they would pass the byte budget
   * (`truncated` then says older ones were left out).
   */
  page(limit = this.capacity): { deliveries: DeliveryRecord[]; truncated: boolean } {
    const ordered = [...this.items.slice(this.start), ...this.items.slice(0, this.start)];
    const wanted = ordered.slice(Math.max(0, ordered.length - limit));
    const kept: DeliveryRecord[] = [];
    let bytes = 0;
    for (let i = wanted.length - 1; i >= 0; i--) {
      const item = wanted[i] as Stored;
      if (bytes + item.bytes > this.maxPageBytes) break;
      bytes += item.bytes;
      kept.push(item.record);
    }
    return { deliveries: kept.reverse(), truncated: kept.length < wanted.length };
  }

  /** Oldest first; at most `limit` of the most recent (within the byte budget). */
  list(limit = this.capacity): DeliveryRecord[] {
    return this.page(limit).deliveries;
  }
}
