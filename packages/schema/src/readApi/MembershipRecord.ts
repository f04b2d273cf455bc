// One membership as the receiver's read API answers it (GET /memberships/{id}, and the items of
// GET /memberships): who has access to which product now, and which event that state comes from.
import { type Static, Type } from '@sinclair/typebox';
import { MembershipStatus } from '../catalog/resources.js';
import { NullableString } from '../NullableString.js';

export const MembershipRecord = Type.Object(
  {
    id: Type.String({ description: 'The membership id (mem_…).' }),
    user_id: NullableString({ description: 'The user who holds it; null once the account is deleted.' }),
    product_id: Type.String({ description: 'The product it gives access to.' }),
    plan_id: Type.String({ description: 'The plan it was bought on.' }),
    status: MembershipStatus,
    cancel_at_period_end: Type.Boolean({
      description: 'Whether it ends at the end of the current billing period.',
    }),
    updated_at: Type.String({
      format: 'date-time',
      description: "The membership's updated_at in the event this state comes from.",
    }),
    event_timestamp: Type.String({
      format: 'date-time',
      description: 'The envelope timestamp of the event this state comes from.',
    }),
    webhook_id: Type.String({ description: 'The webhook-id of the event this state comes from.' }),
  },
  {
    title: 'MembershipRecord',
    description:
      'The newest known state of a membership: an older event, delivered late, never replaces a newer one.',
    additionalProperties: false,
  },
);
export type MembershipRecord = Static<typeof MembershipRecord>;
