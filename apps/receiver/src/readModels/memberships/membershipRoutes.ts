// GET /memberships (filtered by user or status, paged by id) and GET /memberships/{id}.

import { HttpError } from '@webhook-contracts/http-kit';
import type { MembershipPage, MembershipRecord } from '@webhook-contracts/schema';
import { MembershipStatus } from '@webhook-contracts/schema';
import type { Router } from 'express';
import { checkPathParameter, parseLimit, readQuery } from '../../http/readApiParameters.js';
import type { ReadRouteContext } from '../ReadModel.js';
import type { MembershipReader, MembershipState } from './MembershipReader.js';

export const membershipPaths = { list: '/memberships', one: '/memberships/:id' } as const;

const statuses = (MembershipStatus as unknown as { enum: readonly MembershipStatus[] }).enum;
const iso = (ms: number) => new Date(ms).toISOString();

export function membershipJson(m: MembershipState): MembershipRecord {
  return {
    id: m.membershipId,
    user_id: m.userId,
    product_id: m.productId,
    plan_id: m.planId,
    status: m.status,
    cancel_at_period_end: m.cancelAtPeriodEnd,
    updated_at: iso(m.updatedAt),
    event_timestamp: iso(m.eventTimestamp),
    webhook_id: m.webhookId,
  };
}

function parseStatus(value: string | undefined): MembershipStatus | undefined {
  if (value !== undefined && !(statuses as readonly string[]).includes(value)) {
    throw new HttpError(
      400,
      'invalid_query',
      `status is "${value.slice(0, 64)}": expected one of ${statuses.join(', ')}`,
    );
  }
  return value as MembershipStatus | undefined;
}

export function membershipRoutes(
  router: Router,
  { reader, route, budget }: ReadRouteContext<MembershipReader>,
): void {
  // The id of /memberships/:id, checked before anything decodes it.
  router.use(membershipPaths.list, checkPathParameter('membership_id'));

  router.get(
    membershipPaths.list,
    route(async (req, res) => {
      const query = readQuery(req.originalUrl, {
        user_id: 'one',
        status: 'one',
        cursor: 'one',
        limit: 'one',
      });
      const { user_id: userId, cursor } = query;
      const limit = parseLimit(query.limit);
      const status = parseStatus(query.status);
      const page = await reader.listMemberships({
        limit,
        ...(userId === undefined || userId === '' ? {} : { userId }),
        ...(status === undefined ? {} : { status }),
        ...(cursor === undefined ? {} : { cursor }),
        budget: budget(membershipJson),
      });
      const body: MembershipPage = {
        memberships: page.memberships.map(membershipJson),
        next_cursor: page.nextCursor,
      };
      res.json(body);
    }),
  );

  router.get(
    membershipPaths.one,
    route(async (req, res) => {
      const id = String(req.params['id']);
      const membership = await reader.getMembership(id);
      if (membership === null) {
        throw new HttpError(404, 'membership_not_found', `No membership with id "${id}" is stored`);
      }
      res.json(membershipJson(membership));
    }),
  );
}
