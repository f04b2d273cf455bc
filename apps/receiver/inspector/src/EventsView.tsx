import {
  Clipped,
  DataTable,
  ErrorAlert,
  formatTime,
  messageOf,
  query,
  StatusBadge,
  useApi,
  useRefresh,
} from '@webhook-contracts/inspector-kit';
import { type EventPage, type EventSummary, eventStatuses } from '@webhook-contracts/schema';
import { useCallback, useRef, useState } from 'preact/hooks';
import { FilterInput } from './FilterInput.tsx';

const PAGE_SIZE = 25;
const REFRESH_MS = 3000;

const head = [
  <th key="id">Webhook id</th>,
  <th key="type">Type</th>,
  <th key="status">Status</th>,
  <th key="received">Received</th>,
  <th key="seen" class="num">
    Deliveries seen
  </th>,
  <th key="attempts" class="num">
    Attempts
  </th>,
];

const eventRow = (e: EventSummary) => (
  <tr key={e.webhook_id}>
    <td class="mono cell-id">
      <Clipped text={e.webhook_id} limit={60} href={`#/events/${encodeURIComponent(e.webhook_id)}`} />
    </td>
    <td class="mono cell-type">
      {e.type === null ? <span class="muted">—</span> : <Clipped text={e.type} limit={80} />}
    </td>
    <td>
      <StatusBadge status={e.status} />
    </td>
    <td class="nowrap">{formatTime(e.received_at)}</td>
    <td class="num">{e.deliveries_seen}</td>
    <td class="num">{e.attempts}</td>
  </tr>
);

/** The inbox, newest first: filters, cursor paging, live refresh. */
export function EventsView() {
  const api = useApi();
  const [status, setStatus] = useState('');
  const [type, setType] = useState('');
  // cursors[i] opens page i; page 0 has none.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<EventPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState(true);
  const cursor = cursors[cursors.length - 1];

  // Only the latest request may set the list: an older one (a refresh that was in flight when a
  // filter changed) answering late would show rows the filters exclude.
  const latest = useRef(0);
  const load = useCallback(async () => {
    const seq = ++latest.current;
    try {
      const next = await api<EventPage>(`events${query({ status, type, cursor, limit: String(PAGE_SIZE) })}`);
      if (seq !== latest.current) return;
      setPage(next);
      setError(null);
    } catch (err) {
      if (seq !== latest.current) return;
      setPage(null);
      setError(messageOf(err));
    }
  }, [api, status, type, cursor]);

  useRefresh(load, REFRESH_MS, live);

  const resetPaging = () => setCursors([undefined]);
  const nextCursor = page?.next_cursor ?? null;

  return (
    <section>
      <div class="toolbar">
        <label>
          Status
          <select
            aria-label="Status"
            value={status}
            onChange={(e) => {
              setStatus(e.currentTarget.value);
              resetPaging();
            }}
          >
            <option value="">any</option>
            {eventStatuses.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <FilterInput
          label="Type"
          placeholder="e.g. payment.succeeded"
          onCommit={(value) => {
            setType(value);
            resetPaging();
          }}
        />
        <label class="check">
          <input type="checkbox" checked={live} onChange={(e) => setLive(e.currentTarget.checked)} />
          Live refresh
        </label>
        <span class="spacer" />
        <button
          type="button"
          disabled={cursors.length === 1}
          onClick={() => setCursors(cursors.slice(0, -1))}
        >
          ← Newer
        </button>
        <button
          type="button"
          disabled={nextCursor === null}
          onClick={() => nextCursor !== null && setCursors([...cursors, nextCursor])}
        >
          Older →
        </button>
      </div>
      <ErrorAlert error={error} />
      {page !== null && (
        <DataTable testId="events" head={head} rows={page.events} empty="No events match." row={eventRow} />
      )}
      <p class="muted small">
        Page {cursors.length}
        {live ? ` · refreshes every ${REFRESH_MS / 1000} s` : ''}
      </p>
    </section>
  );
}
