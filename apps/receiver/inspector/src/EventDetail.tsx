import { useCallback, useEffect, useState } from 'preact/hooks';
import type { EventRecord } from './api.ts';
import { formatTime } from './format.ts';
import { JsonView } from './JsonView.tsx';
import { StatusBadge } from './StatusBadge.tsx';
import { messageOf, useApi } from './useApi.ts';

/** One event: its state, its errors with the fields they point at, payload, headers, replay. */
export function EventDetail({ id }: { id: string }) {
  const api = useApi();
  const [event, setEvent] = useState<EventRecord | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [replay, setReplay] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const path = `events/${encodeURIComponent(id)}`;

  const load = useCallback(async () => {
    try {
      setEvent(await api<EventRecord>(path));
      setError(null);
    } catch (err) {
      setError(messageOf(err));
    }
  }, [api, path]);

  useEffect(() => {
    void load();
  }, [load]);

  // After a replay, follow the event until the processor has settled it again.
  useEffect(() => {
    if (event?.status !== 'received') return;
    const timer = window.setTimeout(() => void load(), 1000);
    return () => window.clearTimeout(timer);
  }, [event, load]);

  const doReplay = async () => {
    setBusy(true);
    try {
      const answer = await api<{ status: string; webhook_id: string }>(`${path}/replay`, { method: 'POST' });
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
  return (
    <section>
      <p>
        <a href="#/events">← All events</a>
      </p>
      {error !== null && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {event !== null && (
        <>
          <div class="detail-head">
            <h2 class="mono">{event.webhook_id}</h2>
            <StatusBadge status={event.status} />
            <span class="spacer" />
            <button type="button" class="primary" disabled={busy} onClick={doReplay}>
              Replay
            </button>
          </div>
          {replay !== null && (
            <p class={replay.ok ? 'notice' : 'error'} role="status" data-testid="replay-result">
              {replay.text}
            </p>
          )}
          <dl class="facts">
            <dt>Type</dt>
            <dd class="mono">{event.type}</dd>
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
                <dd class="mono">{event.last_error}</dd>
              </>
            )}
          </dl>
          {errors.length > 0 && (
            <>
              <h3>Contract errors</h3>
              <ul class="errors" data-testid="errors">
                {errors.map((e) => (
                  <li key={`${e.pointer} ${e.message}`}>
                    <code class="pointer">{e.pointer === '' ? '(root)' : e.pointer}</code> {e.message}
                  </li>
                ))}
              </ul>
            </>
          )}
          <div class="columns">
            <div>
              <h3>Payload</h3>
              {event.payload_text !== undefined ? (
                <pre class="json" data-testid="payload">
                  {event.payload_text}
                </pre>
              ) : (
                <JsonView value={event.payload} pointers={errors.map((e) => e.pointer)} />
              )}
            </div>
            <div>
              <h3>Stored headers</h3>
              <table class="headers">
                <tbody>
                  {Object.entries(event.headers).map(([name, value]) => (
                    <tr key={name}>
                      <th class="mono">{name}</th>
                      <td class="mono break">{value}</td>
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
