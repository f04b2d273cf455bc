import {
  DataTable,
  ErrorAlert,
  messageOf,
  plainVisible,
  StatusBadge,
  useApi,
  useRefresh,
} from '@webhook-contracts/inspector-kit';
import { useCallback, useState } from 'preact/hooks';
import type { Attempt, Delivery } from './api.ts';

const REFRESH_MS = 2000;
const LIMIT = 200;

const ok = (a: Attempt) => typeof a.status === 'number' && a.status >= 200 && a.status < 300;
const finalStatus = (d: Delivery) =>
  d.delivered ? 'delivered' : typeof d.status === 'number' ? 'failed' : d.status;

const head = ['Webhook id', 'Type', 'Target', 'Status', 'Attempts', 'Latency', 'Per attempt'].map((label) => (
  <th key={label} class={label === 'Attempts' || label === 'Latency' ? 'num' : undefined}>
    {label}
  </th>
));

const deliveryRow = (d: Delivery, i: number) => (
  <tr key={`${d.id} ${i}`}>
    <td class="mono">{d.id}</td>
    <td class="mono">{d.type}</td>
    <td class="mono small nowrap">{d.to}</td>
    <td>
      <StatusBadge status={finalStatus(d)} />
    </td>
    <td class="num">{d.attempts.length}</td>
    <td class="num nowrap">
      {d.attempts.length === 0 ? '—' : `${Math.round(d.attempts[d.attempts.length - 1]!.latencyMs)} ms`}
    </td>
    <td>
      <span class="attempts">
        {d.attempts.map((a, n) => (
          <span
            key={`${a.at} ${n}`}
            class={ok(a) ? 'attempt' : 'attempt attempt-bad'}
            title={
              a.reason !== undefined
                ? plainVisible(a.reason, 300)
                : a.delayMs !== undefined
                  ? `retry after ${a.delayMs} ms`
                  : ''
            }
          >
            {a.status} · {Math.round(a.latencyMs)} ms
          </span>
        ))}
      </span>
    </td>
  </tr>
);

/** The service's recent deliveries, newest first, with every attempt's answer and latency. */
export function DeliveriesView() {
  const api = useApi();
  const [deliveries, setDeliveries] = useState<Delivery[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState(true);

  const load = useCallback(async () => {
    try {
      const { deliveries: list } = await api<{ deliveries: Delivery[] }>(`deliveries?limit=${LIMIT}`);
      setDeliveries([...list].reverse());
      setError(null);
    } catch (err) {
      setError(messageOf(err));
    }
  }, [api]);

  useRefresh(load, REFRESH_MS, live);

  return (
    <section>
      <div class="toolbar">
        <label class="check">
          <input type="checkbox" checked={live} onChange={(e) => setLive(e.currentTarget.checked)} />
          Live refresh
        </label>
        <span class="spacer" />
        <span class="muted small">the last {LIMIT}, newest first</span>
      </div>
      <ErrorAlert error={error} />
      {deliveries !== null && (
        <DataTable
          testId="deliveries"
          head={head}
          rows={deliveries}
          empty="Nothing sent yet."
          row={deliveryRow}
        />
      )}
    </section>
  );
}
