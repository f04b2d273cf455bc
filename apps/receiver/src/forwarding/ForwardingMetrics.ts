// The forwarding metrics, per destination, on the receiver's registry: what was forwarded, what
// failed and was dead-lettered, what the broker said it already had, whether the destination is
// reachable, and the outbox's backlog (read from the store when scraped).
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ForwardOutbox } from './outbox/ForwardOutbox.js';

/** A bound no backlog reaches: the gauges' counts are exact. */
const exactCount = 2 ** 31;

export class ForwardingMetrics {
  readonly forwarded: Counter<'destination'>;
  readonly duplicates: Counter<'destination'>;
  readonly failed: Counter<'destination'>;
  readonly deadLettered: Counter<'destination'>;
  readonly up: Gauge<'destination'>;

  constructor(registry: Registry, outbox: ForwardOutbox, destinations: readonly string[]) {
    const registers = [registry];
    const labelNames = ['destination'] as const;
    this.forwarded = new Counter({
      name: 'webhook_forwarded_total',
      help: 'Events a destination acknowledged (PubAck, publisher confirm, 2xx)',
      labelNames,
      registers,
    });
    this.duplicates = new Counter({
      name: 'webhook_forward_duplicates_total',
      help: 'Acknowledgements that said the destination already had the event (JetStream duplicate window)',
      labelNames,
      registers,
    });
    this.failed = new Counter({
      name: 'webhook_forward_failures_total',
      help: 'Publishes that failed and will be retried, or were stopped (HTTP 410)',
      labelNames,
      registers,
    });
    this.deadLettered = new Counter({
      name: 'webhook_forward_dead_lettered_total',
      help: 'Events given up on after FORWARD_MAX_ATTEMPTS attempts',
      labelNames,
      registers,
    });
    this.up = new Gauge({
      name: 'webhook_forward_destination_up',
      help: '1 while the destination is reachable (its last connection or publish worked), else 0',
      labelNames,
      registers,
    });
    // The three backlog gauges are read from the store once per scrape: the registry collects its
    // metrics at once, so each gauge's collect waits for the same read. Counted exactly, through
    // the partial indexes that hold only the waiting and dead rows (never the forwarded ones).
    let reading: Promise<void> | undefined;
    const refresh = (): Promise<void> => {
      reading ??= outbox
        .backlogSummary(destinations, exactCount)
        .then((rows) => {
          const now = Date.now();
          for (const d of destinations) {
            const row = rows.find((r) => r.destination === d);
            backlog.set({ destination: d }, row?.pending ?? 0);
            dead.set({ destination: d }, row?.dead ?? 0);
            const at = row?.oldestPendingAt ?? null;
            oldest.set({ destination: d }, at === null ? 0 : Math.max(0, now - at) / 1000);
          }
        })
        // A store that does not answer leaves the last values; /healthz reports the store.
        .catch(() => {})
        .finally(() => {
          reading = undefined;
        });
      return reading;
    };
    const backlog = new Gauge({
      name: 'webhook_forward_backlog',
      help: 'Events waiting for a destination (pending in the outbox)',
      labelNames,
      registers,
      collect: refresh,
    });
    const dead = new Gauge({
      name: 'webhook_forward_dead_letters',
      help: 'Events dead-lettered for a destination and not re-forwarded since',
      labelNames,
      registers,
      collect: refresh,
    });
    const oldest = new Gauge({
      name: 'webhook_forward_oldest_pending_age_seconds',
      help: 'Age of the oldest event waiting for a destination (0 when none waits)',
      labelNames,
      registers,
      collect: refresh,
    });
    for (const d of destinations) {
      for (const c of [this.forwarded, this.duplicates, this.failed, this.deadLettered])
        c.inc({ destination: d }, 0);
    }
  }

  /** Each destination's forwarded, failed and dead-lettered counts, as the counters hold them. */
  async counts(): Promise<Map<string, { forwarded: number; failed: number; deadLettered: number }>> {
    const [forwarded, failed, deadLettered] = await Promise.all(
      [this.forwarded, this.failed, this.deadLettered].map(async (c) => {
        const byDestination = new Map<string, number>();
        for (const v of (await c.get()).values) byDestination.set(String(v.labels.destination), v.value);
        return byDestination;
      }),
    );
    const counts = new Map<string, { forwarded: number; failed: number; deadLettered: number }>();
    for (const d of forwarded!.keys()) {
      counts.set(d, {
        forwarded: forwarded!.get(d) ?? 0,
        failed: failed!.get(d) ?? 0,
        deadLettered: deadLettered!.get(d) ?? 0,
      });
    }
    return counts;
  }
}
