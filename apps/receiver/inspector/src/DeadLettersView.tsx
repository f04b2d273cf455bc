import {
  Clipped,
  CursorTable,
  formatCount,
  formatTime,
  messageOf,
  query,
  useApi,
  useCursorPages,
} from '@webhook-contracts/inspector-kit';
import type { DeadLetter, DeadLetterPage, DeadLettersQueued, ForwardQueued } from '@webhook-contracts/schema';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { FilterInput } from './FilterInput.tsx';

const PAGE_SIZE = 25;

/** Batches one "forward all" follows (each at most 10 000 rows): a million dead letters. */
const MAX_BATCHES = 100;

const lettersOf = (page: DeadLetterPage) => page.dead_letters;

const head = ['Webhook id', 'Destination', 'Type', 'Received', 'Attempts', 'Last error', ''].map(
  (label, i) => (
    <th key={i} class={label === 'Attempts' ? 'num' : undefined}>
      {label}
    </th>
  ),
);

interface Props {
  /** The configured destinations, for the filter. */
  destinations: readonly string[];
  /** Every destination's dead-letter count: the table reloads when it changes. */
  deadTotal: number;
  /** Called after a re-forward, so the summary shows it at once. */
  onChanged: () => Promise<void>;
}

/**
 * The dead letters, filtered by destination, type (`payment.*`) and received-at window, a page at a
 * time; each row links to its event and can be forwarded again, and so can every row the filter
 * matches, after a confirmation that says how many.
 */
export function DeadLettersView({ destinations, deadTotal, onChanged }: Props) {
  const api = useApi();
  const [destination, setDestination] = useState('');
  const [type, setType] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const filters = { destination, type, since, until };
  const path = useCallback(
    (cursor: string | undefined) =>
      `forwarding/dead-letters${query({ destination, type, since, until, cursor, limit: String(PAGE_SIZE) })}`,
    [destination, type, since, until],
  );
  const pages = useCursorPages(path, lettersOf);
  const { load } = pages;
  // The forwarder dead-lettered more, or a re-forward took some: show the list as it is now.
  useEffect(() => {
    void load();
  }, [deadTotal, load]);

  const after = async (text: string) => {
    setResult({ ok: true, text });
    await Promise.all([load(), onChanged()]);
  };

  const forwardOne = async (d: DeadLetter) => {
    setBusy(true);
    try {
      const answer = await api<ForwardQueued>(
        `events/${encodeURIComponent(d.webhook_id)}/forward${query({ destination: d.destination })}`,
        { method: 'POST' },
      );
      await after(`${answer.webhook_id} is queued for ${answer.destinations.join(', ')} again.`);
    } catch (err) {
      setResult({ ok: false, text: `Forwarding again refused: ${messageOf(err)}` });
    } finally {
      setBusy(false);
    }
  };

  const forwardAll = async () => {
    setConfirming(false);
    setBusy(true);
    let total = 0;
    try {
      let cursor: string | undefined;
      for (let batch = 0; batch < MAX_BATCHES; batch++) {
        const answer = await api<DeadLettersQueued>(
          `forwarding/dead-letters/forward${query({ ...filters, cursor })}`,
          {
            method: 'POST',
          },
        );
        total += answer.count;
        if (answer.next_cursor === null) break;
        cursor = answer.next_cursor;
      }
      await after(`${formatCount(total)} dead letters queued for forwarding again.`);
    } catch (err) {
      setResult({
        ok: false,
        text: `Forwarding again stopped after ${formatCount(total)}: ${messageOf(err)}`,
      });
    } finally {
      setBusy(false);
    }
  };

  const page = pages.lastPage;
  const matching = page === null ? null : `${formatCount(page.matching)}${page.matching_capped ? '+' : ''}`;
  const row = (d: DeadLetter) => (
    <tr key={`${d.webhook_id} ${d.destination}`}>
      <td class="mono cell-id">
        <Clipped text={d.webhook_id} limit={60} href={`#/events/${encodeURIComponent(d.webhook_id)}`} />
      </td>
      <td class="mono">
        <Clipped text={d.destination} limit={40} />
      </td>
      <td class="mono cell-type">
        {d.type === null ? <span class="muted">—</span> : <Clipped text={d.type} limit={80} />}
      </td>
      <td class="nowrap">{formatTime(d.received_at)}</td>
      <td class="num">{d.attempts}</td>
      <td class="mono">
        {d.last_error === null ? <span class="muted">—</span> : <Clipped text={d.last_error} limit={120} />}
      </td>
      <td class="nowrap">
        <button type="button" disabled={busy} onClick={() => void forwardOne(d)}>
          Forward again
        </button>
      </td>
    </tr>
  );

  return (
    <>
      <CursorTable
        pages={pages}
        filters={
          <>
            <label>
              Destination
              <select
                aria-label="Destination"
                value={destination}
                onChange={(e) => setDestination(e.currentTarget.value)}
              >
                <option value="">any</option>
                {destinations.map((d) => (
                  <option key={d} value={d}>
                    {d}
                  </option>
                ))}
              </select>
            </label>
            <FilterInput label="Type" placeholder="payment.*" onCommit={setType} />
            <FilterInput label="Received since" placeholder="2026-01-31T12:00:00Z" onCommit={setSince} />
            <FilterInput label="Received before" placeholder="2026-02-01T00:00:00Z" onCommit={setUntil} />
            <button
              type="button"
              disabled={busy || page === null || page.matching === 0}
              onClick={() => setConfirming(true)}
            >
              Forward all matching…
            </button>
          </>
        }
        testId="dead-letters"
        head={head}
        empty="No dead letters match."
        row={row}
      />
      {confirming && matching !== null && (
        <div class="warning confirm" role="alertdialog" data-testid="confirm-forward-all">
          Forward again the {matching} dead letters matching this filter? Each goes back to its destination's
          queue.{' '}
          <button type="button" class="primary" onClick={() => void forwardAll()}>
            Forward {matching}
          </button>{' '}
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      )}
      {result !== null && (
        <p class={result.ok ? 'notice' : 'error'} role="status" data-testid="forward-result">
          <Clipped text={result.text} limit={300} />
        </p>
      )}
    </>
  );
}
