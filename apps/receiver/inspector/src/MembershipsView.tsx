import {
  Clipped,
  CursorTable,
  formatTime,
  query,
  StatusBadge,
  useCursorPages,
} from '@webhook-contracts/inspector-kit';
import type { MembershipPage, MembershipRecord } from '@webhook-contracts/schema';
import { useCallback, useState } from 'preact/hooks';
import { FilterInput } from './FilterInput.tsx';
import { membershipStatuses } from './membershipStatuses.ts';

const PAGE_SIZE = 25;

const membershipsOf = (page: MembershipPage) => page.memberships;

const head = ['Membership', 'User', 'Product', 'Plan', 'Status', 'Ends at period end', 'State as of'].map(
  (label) => <th key={label}>{label}</th>,
);

const membershipRow = (m: MembershipRecord) => (
  <tr key={m.id}>
    <td class="mono cell-ref">
      <Clipped text={m.id} limit={60} />
    </td>
    <td class="mono cell-ref">
      {m.user_id === null ? <span class="muted">deleted</span> : <Clipped text={m.user_id} limit={60} />}
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
);

/** Who has access now: the memberships table, filtered by user and status; follows next_cursor when paged. */
export function MembershipsView() {
  const [userId, setUserId] = useState('');
  const [status, setStatus] = useState('');
  const path = useCallback(
    (cursor: string | undefined) =>
      `memberships${query({ user_id: userId, status, cursor, limit: String(PAGE_SIZE) })}`,
    [userId, status],
  );
  const pages = useCursorPages(path, membershipsOf);
  return (
    <CursorTable
      pages={pages}
      filters={
        <>
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
        </>
      }
      testId="memberships"
      head={head}
      empty="No memberships recorded for this filter."
      row={membershipRow}
    />
  );
}
