import type { MembershipRow, MembershipState } from './MembershipReader.js';

/** A memberships row (either database's) as a MembershipState. */
export function membershipState(row: MembershipRow): MembershipState {
  return {
    membershipId: row.membership_id,
    userId: row.user_id,
    productId: row.product_id,
    planId: row.plan_id,
    status: row.status,
    cancelAtPeriodEnd: row.cancel_at_period_end === true || row.cancel_at_period_end === 1,
    updatedAt: Number(row.updated_at),
    eventTimestamp: Number(row.event_timestamp),
    webhookId: row.webhook_id,
  };
}
