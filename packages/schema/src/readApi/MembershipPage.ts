// One page of GET /memberships, ordered by membership id.
import { type Static, Type } from '@sinclair/typebox';
import { NullableString } from '../NullableString.js';
import { MembershipRecord } from './MembershipRecord.js';

export const MembershipPage = Type.Object(
  {
    memberships: Type.Array(MembershipRecord),
    next_cursor: NullableString({
      description: 'Pass as `cursor` for the next page; null on the last page.',
    }),
  },
  { title: 'MembershipPage', additionalProperties: false },
);
export type MembershipPage = Static<typeof MembershipPage>;
