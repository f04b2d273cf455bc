// Memberships on PostgreSQL: the migrations, the conditional upsert a settlement runs, and the reads.
import type pg from 'pg';
import type { Migration } from '../../store/postgres/PostgresMigrations.js';
import type { EffectBatch } from '../ReadModel.js';
import { isNewerMembershipState } from './isNewerMembershipState.js';
import type {
  MembershipChange,
  MembershipReader,
  MembershipRow,
  MembershipState,
} from './MembershipReader.js';
import { decodeMembershipCursor, toMembershipPage } from './membershipCursor.js';
import { membershipState } from './membershipState.js';

// Ids use COLLATE "C" (byte order), what SQLite compares with: pages and ties agree across backends.
export const membershipsMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'memberships',
    sql: `
CREATE TABLE memberships (
  membership_id TEXT COLLATE "C" PRIMARY KEY,
  user_id TEXT COLLATE "C",
  product_id TEXT COLLATE "C" NOT NULL,
  plan_id TEXT COLLATE "C" NOT NULL,
  status TEXT COLLATE "C" NOT NULL,
  cancel_at_period_end BOOLEAN NOT NULL,
  updated_at BIGINT NOT NULL,
  event_timestamp BIGINT NOT NULL,
  webhook_id TEXT COLLATE "C" NOT NULL
);
CREATE INDEX memberships_user ON memberships (user_id, membership_id);
CREATE INDEX memberships_status ON memberships (status, membership_id);
`,
  },
];

const columns =
  'membership_id, user_id, product_id, plan_id, status, cancel_at_period_end, updated_at, event_timestamp, webhook_id';

// One statement for the batch, in id order (two instances' batches cannot deadlock); a row is only
// replaced by a newer state.
const upsert = `
  INSERT INTO memberships (${columns})
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::bigint[],
                       $8::bigint[], $9::text[]) AS m(${columns})
  ORDER BY 1
  ON CONFLICT (membership_id) DO UPDATE SET
    user_id = excluded.user_id, product_id = excluded.product_id, plan_id = excluded.plan_id,
    status = excluded.status, cancel_at_period_end = excluded.cancel_at_period_end,
    updated_at = excluded.updated_at, event_timestamp = excluded.event_timestamp,
    webhook_id = excluded.webhook_id
  WHERE (excluded.updated_at, excluded.event_timestamp, excluded.webhook_id)
      > (memberships.updated_at, memberships.event_timestamp, memberships.webhook_id)`;

export async function applyMembershipsPostgres(
  client: pg.ClientBase,
  batches: readonly EffectBatch<MembershipChange>[],
): Promise<void> {
  // One row per membership: an upsert may not touch a row twice, so the batch's newest state wins
  // here, by the same rule the statement applies against the stored one.
  const newest = new Map<string, MembershipState>();
  for (const { webhookId, effects } of batches) {
    for (const change of effects) {
      const state = { ...change, webhookId };
      const held = newest.get(change.membershipId);
      if (held === undefined || isNewerMembershipState(state, held)) newest.set(change.membershipId, state);
    }
  }
  const rows = [...newest.values()];
  if (rows.length === 0) return;
  await client.query(upsert, [
    rows.map((r) => r.membershipId),
    rows.map((r) => r.userId),
    rows.map((r) => r.productId),
    rows.map((r) => r.planId),
    rows.map((r) => r.status),
    rows.map((r) => r.cancelAtPeriodEnd),
    rows.map((r) => r.updatedAt),
    rows.map((r) => r.eventTimestamp),
    rows.map((r) => r.webhookId),
  ]);
}

const sql = {
  one: `SELECT ${columns} FROM memberships WHERE membership_id = $1`,
  page: `
    SELECT ${columns} FROM memberships
    WHERE ($1::text IS NULL OR user_id = $1) AND ($2::text IS NULL OR status = $2)
      AND ($3::text IS NULL OR membership_id > $3::text COLLATE "C")
    ORDER BY membership_id LIMIT $4`,
};

export function membershipsPostgresReader(pool: pg.Pool): MembershipReader {
  return {
    async getMembership(membershipId) {
      const row = (await pool.query<MembershipRow>(sql.one, [membershipId])).rows[0];
      return row === undefined ? null : membershipState(row);
    },
    async listMemberships(query) {
      const { userId = null, status = null } = query;
      const after = query.cursor === undefined ? null : decodeMembershipCursor(query.cursor);
      const rows = (await pool.query<MembershipRow>(sql.page, [userId, status, after, query.limit + 1])).rows;
      return toMembershipPage(rows.map(membershipState), query.limit, query.budget);
    },
  };
}
