import { Clipped } from '@webhook-contracts/inspector-kit';
import type { MembershipPage, MembershipRecord } from '@webhook-contracts/schema';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { query } from './api.ts';
import { FilterInput } from './FilterInput.tsx';
import { formatTime } from './format.ts';
import { membershipStatuses } from './membershipStatuses.ts';
import { StatusBadge } from './StatusBadge.tsx';
import { messageOf, useApi } from './useApi.ts';

const PAGE_SIZE = 25;

/** Who has access now: the memberships table, filtered by user and status; follows next_cursor when paged. */
export function MembershipsView() {
  const api = useApi();
  const [userId, setUserId] = useState('');
  const [status, setStatus] = useState('');
  const [rows, setRows] = useState<MembershipRecord[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  // Only the latest request may set the table (a late answer for an old filter is dropped).
  const latest = useRef(0);
  const load = useCallback(
    async (cursor?: string) => {
      const seq = ++latest.current;
      try {
        const page = await api<MembershipPage>(
          `memberships${query({ user_id: userId, status, cursor, limit: String(PAGE_SIZE) })}`,
        );
        if (seq !== latest.current) return;
        setRows((before) =>
          cursor === undefined ? page.memberships : [...(before ?? []), ...page.memberships],
        );
        setNextCursor(page.next_cursor ?? null);
        setError(null);
      } catch (err) {
        if (seq !== latest.current) return;
        setRows(null);
        setError(messageOf(err));
      }
    },
    [api, userId, status],
  );

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section>
      <div class="toolbar">
        <FilterInput label="User" placeholder="user_…" onCommit={setUserId} />
        <label>
          Status
          <select aria-label="Status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">any</option>
            {membershipStatuses.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <span class="spacer" />
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      {error !== null && (
        <p class="error" role="alert">
          <Clipped text={error} limit={300} />
        </p>
      )}
      {rows !== null && (
        <div class="table-wrap">
          <table data-testid="memberships">
            <thead>
              <tr>
                <th>Membership</th>
                <th>User</th>
                <th>Product</th>
                <th>Plan</th>
                <th>Status</th>
                <th>Ends at period end</th>
                <th>State as of</th>
              </tr>
            </thead>
            <tbody>
              {rows.length === 0 && (
                <tr>
                  <td colSpan={7} class="empty">
                    No memberships recorded for this filter.
                  </td>
                </tr>
              )}
              {rows.map((m) => (
                <tr key={m.id}>
                  <td class="mono cell-ref">
                    <Clipped text={m.id} limit={60} />
                  </td>
                  <td class="mono cell-ref">
                    {m.user_id === null ? (
                      <span class="muted">deleted</span>
                    ) : (
                      <Clipped text={m.user_id} limit={60} />
                    )}
                  </td>
                  <td class="mono cell-ref">
                    <Clipped text={m.product_id} limit={60} />
                  </td>
                  <td class="mono cell-ref">
                    <Clipped text={m.plan_id} limit={60} />
                  </td>
                  <td>
                    <StatusBadge status={m.status} />
                  </td>
                  <td>{m.cancel_at_period_end ? 'yes' : 'no'}</td>
                  <td class="nowrap" title="The membership's updated_at, then the event's timestamp">
                    {formatTime(m.updated_at)}
                    <div class="muted small">event {formatTime(m.event_timestamp)}</div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {nextCursor !== null && (
        <button type="button" onClick={() => void load(nextCursor)}>
          Load more
        </button>
      )}
    </section>
  );
}
