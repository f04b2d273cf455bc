import { Clipped, ErrorAlert, messageOf, useApi, useRefresh } from '@webhook-contracts/inspector-kit';
import { useCallback, useState } from 'preact/hooks';
import { deliveryOutcomes } from './deliveryOutcomes.ts';
import { outcomeRows } from './outcomeRows.ts';
import { byLabel, parsePrometheus, type Sample } from './prometheus.ts';
import { SpoolPanel } from './SpoolPanel.tsx';

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

  useRefresh(load, 5000);

  const deliveries = byLabel(samples ?? [], 'webhook_deliveries_total', 'outcome');
  const settled = byLabel(samples ?? [], 'webhook_events_settled_total', 'status');
  return (
    <section>
      <ErrorAlert error={error} />
      {samples !== null && (
        <>
          <h3>Deliveries by outcome</h3>
          <div class="counters" data-testid="counters">
            {outcomeRows(deliveryOutcomes, deliveries).map((row) => (
              <div key={row.outcome} class={`counter counter-${row.tone}`} data-outcome={row.outcome}>
                <span class="counter-value">{row.value}</span>
                <span class="counter-label">
                  <Clipped text={row.label} limit={60} />
                </span>
              </div>
            ))}
          </div>
          <h3>Events settled by the processor</h3>
          <div class="counters">
            {[...settled.entries()].map(([status, value]) => (
              <div key={status} class="counter" data-status={status}>
                <span class="counter-value">{value}</span>
                <span class="counter-label">
                  <Clipped text={status} limit={60} />
                </span>
              </div>
            ))}
            {settled.size === 0 && <p class="muted">Nothing settled yet.</p>}
          </div>
          <SpoolPanel samples={samples} />
        </>
      )}
    </section>
  );
}
