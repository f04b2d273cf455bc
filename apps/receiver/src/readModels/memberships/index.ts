// Memberships: who has access to which product now, from the membership.* events (each carries
// the whole membership). Deliveries come in any order; the newest state wins (isNewerMembershipState).
import type { ReadModel } from '../ReadModel.js';
import type { MembershipChange, MembershipReader } from './MembershipReader.js';
import { membershipHandler } from './membershipHandler.js';
import { membershipPaths, membershipRoutes } from './membershipRoutes.js';
import {
  applyMembershipsPostgres,
  membershipsMigrations,
  membershipsPostgresReader,
} from './membershipsPostgres.js';
import {
  membershipsSqliteReader,
  membershipsSqliteSchema,
  prepareMembershipsSqlite,
} from './membershipsSqlite.js';

export type {
  ListMembershipsQuery,
  MembershipChange,
  MembershipReader,
  MembershipState,
  MembershipStatePage,
} from './MembershipReader.js';

/**
 * The memberships read model. Its effects are `membershipChanges`.
 *
 * @example
 * const active = await store.reader(memberships).listMemberships({ status: 'active', limit: 50 });
 */
export const memberships: ReadModel<MembershipChange, MembershipReader> = {
  name: 'memberships',
  effectKey: 'membershipChanges',
  handlers: {
    'membership.activated': membershipHandler,
    'membership.deactivated': membershipHandler,
    'membership.cancel_at_period_end_changed': membershipHandler,
    'membership.trial_ending_soon': membershipHandler,
  },
  sqlite: {
    schema: membershipsSqliteSchema,
    prepareApply: prepareMembershipsSqlite,
    reader: membershipsSqliteReader,
  },
  postgres: {
    migrations: membershipsMigrations,
    tables: ['memberships'],
    apply: applyMembershipsPostgres,
    reader: membershipsPostgresReader,
  },
  routes: membershipRoutes,
  routePaths: [membershipPaths.list, membershipPaths.one],
};
