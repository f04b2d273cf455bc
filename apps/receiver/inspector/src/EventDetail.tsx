import {
  Clipped,
  ErrorAlert,
  formatCount,
  formatTime,
  messageOf,
  StatusBadge,
  useApi,
} from '@webhook-contracts/inspector-kit';
import type { EventRecord, ForwardQueued, ReplayQueued } from '@webhook-contracts/schema';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { JsonView } from './JsonView.tsx';
import { ViewBoundary } from './ViewBoundary.tsx';

/** Contract errors listed before "show all". */
const ERRORS_SHOWN = 100;

/**
 * One event: its state, its errors with the fields they point at, payload, headers, replay. Give
 * it `key={id}`: its state belongs to one event, so switching events starts from nothing.
 */
export function EventDetail({ id }: { id: string }) {
  const api = useApi();
  const [event, setEvent] = useState<EventRecord | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [replay, setReplay] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [allErrors, setAllErrors] = useState(false);
  const path = `events/${encodeURIComponent(id)}`;

  const load = useCallback(async () => {
    try {
      const record = await api<EventRecord>(path);
      // Shown under this id only if it is this id's record.
      if (record.webhook_id !== id) throw new Error(`the receiver answered another event for ${id}`);
      setEvent(record);
      setError(null);
    } catch (err) {
      setError(messageOf(err));
    }
  }, [api, path, id]);

  useEffect(() => {
    void load();
  }, [load]);

  // After a replay, follow the event until the processor has settled it again; while a destination
  // still waits for it, follow that too, less often.
  useEffect(() => {
    const waiting = event?.forwarding?.some((f) => f.state === 'pending') === true;
    if (event?.status !== 'received' && !waiting) return;
    const timer = window.setTimeout(() => void load(), event?.status === 'received' ? 1000 : 3000);
    return () => window.clearTimeout(timer);
  }, [event, load]);

  const forwardAgain = async (destination: string) => {
    setBusy(true);
    try {
      const answer = await api<ForwardQueued>(
        `${path}/forward?destination=${encodeURIComponent(destination)}`,
        { method: 'POST' },
      );
      setReplay({ ok: true, text: `Queued for ${answer.destinations.join(', ')} again.` });
      await load();
    } catch (err) {
      setReplay({ ok: false, text: `Forwarding again refused: ${messageOf(err)}` });
    } finally {
      setBusy(false);
    }
  };

  const doReplay = async () => {
    setBusy(true);
    try {
      const answer = await api<ReplayQueued>(`${path}/replay`, { method: 'POST' });
      setReplay({
        ok: true,
        text: `Replay ${answer.status}: the processor will run ${answer.webhook_id} again.`,
      });
      await load();
    } catch (err) {
      setReplay({ ok: false, text: `Replay refused: ${messageOf(err)}` });
    } finally {
      setBusy(false);
    }
  };

  const errors = event?.errors ?? [];
  // One array per record, so the payload view highlights once per event, not once per render.
  const pointers = useMemo(() => (event?.errors ?? []).map((e) => e.pointer), [event]);
  const listed = allErrors ? errors : errors.slice(0, ERRORS_SHOWN);
  return (
    <section>
      <p>
        <a href="#/events">← All events</a>
      </p>
      <ErrorAlert error={error} />
      {event !== null && (
        <>
          <div class="detail-head">
            <h2 class="mono">
              <Clipped text={event.webhook_id} limit={120} />
            </h2>
            <StatusBadge status={event.status} />
            <span class="spacer" />
            <button type="button" class="primary" disabled={busy} onClick={doReplay}>
              Replay
            </button>
          </div>
          {replay !== null && (
            <p class={replay.ok ? 'notice' : 'error'} role="status" data-testid="replay-result">
              <Clipped text={replay.text} limit={300} />
            </p>
          )}
          <dl class="facts">
            <dt>Type</dt>
            <dd class="mono">
              {event.type === null ? <span class="muted">—</span> : <Clipped text={event.type} limit={200} />}
            </dd>
            <dt>Received</dt>
            <dd>{formatTime(event.received_at)}</dd>
            <dt>Processed</dt>
            <dd>{formatTime(event.processed_at)}</dd>
            <dt>Deliveries seen</dt>
            <dd>{event.deliveries_seen}</dd>
            <dt>Attempts</dt>
            <dd>{event.attempts}</dd>
            {event.next_attempt_at !== null && (
              <>
                <dt>Next attempt</dt>
                <dd>{formatTime(event.next_attempt_at)}</dd>
              </>
            )}
            {event.last_error !== null && (
              <>
                <dt>Last error</dt>
                <dd class="mono">
                  <Clipped text={event.last_error} limit={500} />
                </dd>
              </>
            )}
          </dl>
          {errors.length > 0 && (
            <>
              <h3 data-testid="errors-title">
                Contract errors ({formatCount(Math.max(event.error_count ?? 0, errors.length))}
                {event.errors_truncated ? `, the first ${formatCount(errors.length)} listed` : ''})
              </h3>
              <ul class="errors" data-testid="errors">
                {listed.map((e, i) => (
                  <li key={i}>
                    {e.pointer === '' ? (
                      <code class="pointer">(root)</code>
                    ) : (
                      <Clipped text={e.pointer} limit={200} class="pointer" />
                    )}{' '}
                    <Clipped text={e.message} limit={300} />
                  </li>
                ))}
              </ul>
              {listed.length < errors.length && (
                <button type="button" class="expand" onClick={() => setAllErrors(true)}>
                  Show all {formatCount(errors.length)} errors
                </button>
              )}
            </>
          )}
          {event.forwarding !== undefined && (
            <>
              <h3>Forwarding</h3>
              <div class="table-wrap">
                <table data-testid="forwarding">
                  <thead>
                    <tr>
                      <th>Destination</th>
                      <th>State</th>
                      <th class="num">Attempts</th>
                      <th>Last error</th>
                      <th>Next attempt</th>
                      <th>Forwarded</th>
                      <th />
                    </tr>
                  </thead>
                  <tbody>
                    {event.forwarding.length === 0 && (
                      <tr>
                        <td colSpan={7} class="empty">
                          Not forwarded: no destination takes this event.
                        </td>
                      </tr>
                    )}
                    {event.forwarding.map((f) => (
                      <tr key={f.destination} data-destination={f.destination}>
                        <td class="mono">
                          <Clipped text={f.destination} limit={40} />
                        </td>
                        <td>
                          <StatusBadge status={f.state} />
                        </td>
                        <td class="num">{f.attempts}</td>
                        <td class="mono">
                          {f.last_error === null ? (
                            <span class="muted">—</span>
                          ) : (
                            <Clipped text={f.last_error} limit={200} />
                          )}
                        </td>
                        <td class="nowrap">{formatTime(f.next_attempt_at)}</td>
                        <td class="nowrap">{formatTime(f.forwarded_at)}</td>
                        <td>
                          {f.state !== 'pending' && (
                            <button
                              type="button"
                              disabled={busy}
                              onClick={() => void forwardAgain(f.destination)}
                            >
                              Forward again
                            </button>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
          <div class="columns">
            <div>
              <h3>Payload</h3>
              <ViewBoundary view="payload view" subject={id}>
                {event.payload_text !== undefined ? (
                  <pre class="json raw" data-testid="payload">
                    <Clipped text={event.payload_text} limit={20_000} multiline />
                  </pre>
                ) : (
                  <JsonView value={event.payload} pointers={pointers} />
                )}
              </ViewBoundary>
            </div>
            <div>
              <h3>Stored headers</h3>
              <table class="headers">
                <tbody>
                  {Object.entries(event.headers).map(([name, value]) => (
                    <tr key={name}>
                      <th class="mono">
                        <Clipped text={name} limit={60} />
                      </th>
                      <td class="mono">
                        <Clipped text={value} limit={200} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        </>
      )}
    </section>
  );
}
