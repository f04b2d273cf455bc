// The statuses the Memberships view filters by: the schema's MembershipStatus enum, written into
// the bundle at build time (vite.config.ts), so the page ships the list and not TypeBox with the
// whole generated catalog it would take to import the schema itself.
import type { MembershipStatus } from '@webhook-contracts/schema';

declare const __MEMBERSHIP_STATUSES__: readonly MembershipStatus[];

export const membershipStatuses: readonly MembershipStatus[] = __MEMBERSHIP_STATUSES__;
