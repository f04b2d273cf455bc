import type { MembershipChange } from '../MembershipReader.js';

/** The moment a test membership's times default to. */
export const membershipT0 = Date.UTC(2026, 0, 1);

/** An active membership mem_1 of user_1, both times at membershipT0, with `overrides` applied. */
export function membershipChange(overrides: Partial<MembershipChange> = {}): MembershipChange {
  return {
    membershipId: 'mem_1',
    userId: 'user_1',
    productId: 'prod_1',
    planId: 'plan_1',
    status: 'active',
    cancelAtPeriodEnd: false,
    updatedAt: membershipT0,
    eventTimestamp: membershipT0,
    ...overrides,
  };
}
