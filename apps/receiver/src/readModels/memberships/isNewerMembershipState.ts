import type { MembershipState } from './MembershipReader.js';

/**
 * Whether `a` replaces `b`: a later updated_at, then a later envelope timestamp, then the greater
 * webhook-id in byte order (what both databases compare), so any arrival order ends in the same
 * state. Equal (the same event again) is not newer: a replay changes nothing.
 *
 * @example
 * isNewerMembershipState({ ...s, updatedAt: s.updatedAt + 1 }, s); // true
 */
export function isNewerMembershipState(a: MembershipState, b: MembershipState): boolean {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt > b.updatedAt;
  if (a.eventTimestamp !== b.eventTimestamp) return a.eventTimestamp > b.eventTimestamp;
  return Buffer.compare(Buffer.from(a.webhookId), Buffer.from(b.webhookId)) > 0;
}
