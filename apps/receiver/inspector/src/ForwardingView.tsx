import {
  Clipped,
  DataTable,
  ErrorAlert,
  formatCount,
  messageOf,
  StatusBadge,
  useApi,
  useRefresh,
} from '@webhook-contracts/inspector-kit';
import type { DestinationBacklog, ForwardingSummary } from '@webhook-contracts/schema';
import { useCallback, useState } from 'preact/hooks';
import { DeadLettersView } from './DeadLettersView.tsx';
import { formatAge } from './formatAge.ts';

const REFRESH_MS = 3000;

const head = [
  <th key="destination">Destination</th>,
  <th key="state">State</th>,
  <th key="pending" class="num">
    Waiting
  </th>,
  <th key="oldest">Oldest waiting</th>,
  <th key="forwarded" class="num" title="By this instance since it started">
    Forwarded
  </th>,
  <th key="failed" class="num" title="By this instance since it started">
    Failed
  </th>,
  <th key="dead-lettered" class="num" title="By this instance since it started">
    Dead-lettered
  </th>,
  <th key="dead" class="num">
    Dead letters
  </th>,
];

const capped = (n: number, more: boolean) => `${formatCount(n)}${more ? '+' : ''}`;

const destinationRow = (d: DestinationBacklog) => (
  <tr key={d.destination} data-destination={d.destination}>
    <td class="mono">
      <Clipped text={d.destination} limit={40} />
    </td>
    <td>
      <StatusBadge status={d.up ? 'up' : 'down'} />
      {d.error !== undefined && (
        <div class="muted small" data-testid="destination-error">
          <Clipped text={d.error} limit={200} />
        </div>
      )}
    </td>
    <td class="num" data-testid="pending">
      {capped(d.pending, d.pending_capped)}
    </td>
    <td class="nowrap" title={d.oldest_pending_at ?? undefined}>
      {d.oldest_pending_age_seconds === null ? (
        <span class="muted">—</span>
      ) : (
        formatAge(d.oldest_pending_age_seconds)
      )}
    </td>
    <td class="num">{formatCount(d.forwarded)}</td>
    <td class="num">{formatCount(d.failed)}</td>
    <td class="num">{formatCount(d.dead_lettered)}</td>
    <td class="num" data-testid="dead">
      {capped(d.dead, d.dead_capped)}
    </td>
  </tr>
);

/** Forwarding at a glance: each destination's health and backlog, then the dead letters. */
export function ForwardingView() {
  const api = useApi();
  const [summary, setSummary] = useState<ForwardingSummary | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setSummary(await api<ForwardingSummary>('forwarding'));
      setError(null);
    } catch (err) {
      setError(messageOf(err));
    }
  }, [api]);

  useRefresh(load, REFRESH_MS);

  const deadTotal = summary?.destinations.reduce((n, d) => n + d.dead, 0) ?? 0;
  return (
    <section>
      <ErrorAlert error={error} />
      {summary !== null && !summary.enabled && (
        <p class="notice" data-testid="forwarding-off">
          Forwarding is off: set FORWARD_NATS_URL, FORWARD_AMQP_URL or FORWARD_HTTP_URL to forward each
          verified event to a broker or an endpoint.
        </p>
      )}
      {summary?.enabled === true && (
        <>
          <h3>Destinations</h3>
          <DataTable
            testId="destinations"
            head={head}
            rows={summary.destinations}
            empty="No destinations."
            row={destinationRow}
          />
          <p class="muted small">
            Refreshes every {REFRESH_MS / 1000} s · forwarded, failed and dead-lettered count this instance
            since it started
          </p>
          <h3>Dead letters</h3>
          <DeadLettersView
            destinations={summary.destinations.map((d) => d.destination)}
            deadTotal={deadTotal}
            onChanged={load}
          />
        </>
      )}
    </section>
  );
}
