import type { DeliveryRecord } from '../send.js';

/** The last `capacity` deliveries (a ring buffer), for `GET /deliveries`. */
export class DeliveryLog {
  private readonly items: DeliveryRecord[] = [];
  private start = 0;

  constructor(private readonly capacity = 1000) {}

  add(record: DeliveryRecord): void {
    if (this.items.length < this.capacity) this.items.push(record);
    else {
      this.items[this.start] = record;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  /** Oldest first; at most `limit` of the most recent. */
  list(limit = this.capacity): DeliveryRecord[] {
    const ordered = [...this.items.slice(this.start), ...this.items.slice(0, this.start)];
    return ordered.slice(Math.max(0, ordered.length - limit));
  }
}
