import { Clipped } from '@webhook-contracts/inspector-kit';
import { type EventPage, eventStatuses } from '@webhook-contracts/schema';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { query } from './api.ts';
import { ErrorAlert } from './ErrorAlert.tsx';
import { FilterInput } from './FilterInput.tsx';
import { formatTime } from './format.ts';
import { StatusBadge } from './StatusBadge.tsx';
import { messageOf, useApi } from './useApi.ts';

const PAGE_SIZE = 25;
const REFRESH_MS = 3000;

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

  useEffect(() => {
    void load();
    if (!live) return;
    const timer = window.setInterval(() => void load(), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [load, live]);

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
        <div class="table-wrap">
          <table data-testid="events">
            <thead>
              <tr>
                <th>Webhook id</th>
                <th>Type</th>
                <th>Status</th>
                <th>Received</th>
                <th class="num">Deliveries seen</th>
                <th class="num">Attempts</th>
              </tr>
            </thead>
            <tbody>
              {page.events.length === 0 && (
                <tr>
                  <td colSpan={6} class="empty">
                    No events match.
                  </td>
                </tr>
              )}
              {page.events.map((e) => (
                <tr key={e.webhook_id}>
                  <td class="mono cell-id">
                    <Clipped
                      text={e.webhook_id}
                      limit={60}
                      href={`#/events/${encodeURIComponent(e.webhook_id)}`}
                    />
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
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p class="muted small">
        Page {cursors.length}
        {live ? ` · refreshes every ${REFRESH_MS / 1000} s` : ''}
      </p>
    </section>
  );
}
