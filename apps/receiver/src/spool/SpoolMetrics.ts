// The spool's Prometheus series, on the receiver's registry: how much waits on local disk, how old
// the oldest is, and what went in and came out.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Spool } from './Spool.js';

/**
 * @example
 * const spoolMetrics = new SpoolMetrics(metrics.registry, spool);
 * spoolMetrics.spooled.inc();
 */
export class SpoolMetrics {
  readonly spooled: Counter;
  readonly refused: Counter<'reason'>;
  readonly drained: Counter<'result'>;

  constructor(registry: Registry, spool: Spool, now: () => number = Date.now) {
    const registers = [registry];
    new Gauge({
      name: 'webhook_spool_depth',
      help: 'Deliveries in the local spool not yet in the store',
      registers,
      collect() {
        this.set(spool.depth);
      },
    });
    new Gauge({
      name: 'webhook_spool_bytes',
      help: "Bytes of the local spool's segment files",
      registers,
      collect() {
        this.set(spool.bytes);
      },
    });
    new Gauge({
      name: 'webhook_spool_max_bytes',
      help: 'The local spool budget (SPOOL_MAX_BYTES)',
      registers,
      collect() {
        this.set(spool.maxBytes);
      },
    });
    new Gauge({
      name: 'webhook_spool_oldest_age_seconds',
      help: 'Age of the oldest delivery in the local spool (0 when empty)',
      registers,
      collect() {
        const oldest = spool.oldestReceivedAt;
        this.set(oldest === null ? 0 : Math.max(0, (now() - oldest) / 1000));
      },
    });
    this.spooled = new Counter({
      name: 'webhook_spooled_total',
      help: 'Deliveries written to the local spool because the store did not commit them in time',
      registers,
    });
    this.refused = new Counter({
      name: 'webhook_spool_refused_total',
      help: 'Deliveries the spool could not take (503), by reason: full, write_failed',
      labelNames: ['reason'] as const,
      registers,
    });
    this.drained = new Counter({
      name: 'webhook_spool_drained_total',
      help: 'Spooled deliveries moved into the store, by result: inserted, duplicate, lost',
      labelNames: ['result'] as const,
      registers,
    });
  }
}
