import type { Membership } from '@webhook-contracts/schema';
import type { MembershipChange } from './MembershipReader.js';

/**
 * The membership state an event carries (every membership.* event carries the whole membership),
 * with the two times that order it against other events about the same membership.
 *
 * @example
 * membershipHandler(event); // [{ membershipId: 'mem_1', status: 'active', updatedAt, eventTimestamp, … }]
 */
export function membershipHandler(event: { timestamp: string; data: Membership }): MembershipChange[] {
  const { data } = event;
  return [
    {
      membershipId: data.id,
      userId: data.user?.id ?? null,
      productId: data.product.id,
      planId: data.plan.id,
      status: data.status,
      cancelAtPeriodEnd: data.cancel_at_period_end,
      updatedAt: instant(data.updated_at, 'data.updated_at'),
      eventTimestamp: instant(event.timestamp, 'timestamp'),
    },
  ];
}

function instant(value: string, name: string): number {
  const ms = Date.parse(value);
  // The schema checks the date-time format, so this only happens if the contract loosens.
  if (Number.isNaN(ms)) throw new Error(`${name} "${value}" is not a parseable date-time`);
  return ms;
}
