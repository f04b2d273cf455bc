// Memberships' records and reads, as the store's reader for them answers.
import type { MembershipStatus } from '@webhook-contracts/schema';
import type { PageBudget } from '../../store/core/Store.js';

/** A membership's state as one event tells it: what a membership handler asks to write. */
export interface MembershipChange {
  membershipId: string;
  userId: string | null;
  productId: string;
  planId: string;
  status: MembershipStatus;
  cancelAtPeriodEnd: boolean;
  /** The membership's updated_at, ms since the epoch: the first thing "newer" compares. */
  updatedAt: number;
  /** The envelope timestamp, ms since the epoch: compared when updated_at is equal. */
  eventTimestamp: number;
}

/** The state kept for a membership: the newest change, and the webhook-id that brought it. */
export interface MembershipState extends MembershipChange {
  /** Compared (in byte order) when both times are equal, so the outcome never depends on arrival. */
  webhookId: string;
}

export interface ListMembershipsQuery {
  userId?: string;
  status?: MembershipStatus;
  /** Most memberships on the page. */
  limit: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
  budget?: PageBudget<MembershipState>;
}

export interface MembershipStatePage {
  memberships: MembershipState[];
  nextCursor: string | null;
}

/** One memberships row as either database returns it. */
export interface MembershipRow {
  membership_id: string;
  user_id: string | null;
  product_id: string;
  plan_id: string;
  status: MembershipStatus;
  cancel_at_period_end: boolean | number;
  updated_at: number | string;
  event_timestamp: number | string;
  webhook_id: string;
}

export interface MembershipReader {
  getMembership(membershipId: string): Promise<MembershipState | null>;
  /** One page of matching memberships, ordered by membership id (byte order). */
  listMemberships(query: ListMembershipsQuery): Promise<MembershipStatePage>;
}
