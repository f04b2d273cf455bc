import { useCallback, useEffect, useState } from 'preact/hooks';
import { byLabel, parsePrometheus, type Sample } from './prometheus.ts';
import { messageOf, useApi } from './useApi.ts';

const OUTCOMES: readonly [string, string][] = [
  ['accepted', 'Accepted'],
  ['duplicate', 'Duplicate'],
  ['quarantined', 'Quarantined'],
  ['unhandled', 'Unhandled'],
  ['rejected_signature', 'Rejected: signature'],
  ['rejected_contract', 'Rejected: contract'],
  ['too_large', 'Rejected: too large'],
  ['bad_request', 'Rejected: bad request'],
  ['store_unavailable', 'Store unavailable'],
];

const tone = (outcome: string) =>
  outcome === 'accepted'
    ? 'ok'
    : outcome === 'duplicate' || outcome === 'unhandled'
      ? 'info'
      : outcome === 'quarantined'
        ? 'warn'
        : 'bad';

/** Delivery outcomes and processing results from /metrics. */
export function CountersView() {
  const api = useApi();
  const [samples, setSamples] = useState<Sample[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setSamples(parsePrometheus(await api<string>('metrics')));
      setError(null);
    } catch (err) {
      setError(messageOf(err));
    }
  }, [api]);

  useEffect(() => {
    void load();
    const timer = window.setInterval(() => void load(), 5000);
    return () => window.clearInterval(timer);
  }, [load]);

  const deliveries = byLabel(samples ?? [], 'webhook_deliveries_total', 'outcome');
  const settled = byLabel(samples ?? [], 'webhook_events_settled_total', 'status');
  return (
    <section>
      {error !== null && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {samples !== null && (
        <>
          <h3>Deliveries by outcome</h3>
          <div class="counters" data-testid="counters">
            {OUTCOMES.map(([key, label]) => (
              <div key={key} class={`counter counter-${tone(key)}`} data-outcome={key}>
                <span class="counter-value">{deliveries.get(key) ?? 0}</span>
                <span class="counter-label">{label}</span>
              </div>
            ))}
          </div>
          <h3>Events settled by the processor</h3>
          <div class="counters">
            {[...settled.entries()].map(([status, value]) => (
              <div key={status} class="counter" data-status={status}>
                <span class="counter-value">{value}</span>
                <span class="counter-label">{status}</span>
              </div>
            ))}
            {settled.size === 0 && <p class="muted">Nothing settled yet.</p>}
          </div>
        </>
      )}
    </section>
  );
}
