// Memberships on SQLite: the table, the conditional upsert a settlement runs, and the reads.
import type Database from 'better-sqlite3';
import type { EffectBatch } from '../ReadModel.js';
import type { MembershipChange, MembershipReader, MembershipRow } from './MembershipReader.js';
import { decodeMembershipCursor, toMembershipPage } from './membershipCursor.js';
import { membershipState } from './membershipState.js';

export const membershipsSqliteSchema = `
CREATE TABLE IF NOT EXISTS memberships (
  membership_id TEXT PRIMARY KEY,
  user_id TEXT,
  product_id TEXT NOT NULL,
  plan_id TEXT NOT NULL,
  status TEXT NOT NULL,
  cancel_at_period_end INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  event_timestamp INTEGER NOT NULL,
  webhook_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS memberships_user ON memberships (user_id, membership_id);
CREATE INDEX IF NOT EXISTS memberships_status ON memberships (status, membership_id);
`;

const columns =
  'membership_id, user_id, product_id, plan_id, status, cancel_at_period_end, updated_at, event_timestamp, webhook_id';

/** Writes a change only over an older state (isNewerMembershipState, in SQL: text compares as bytes). */
export function prepareMembershipsSqlite(
  db: Database.Database,
): (batch: EffectBatch<MembershipChange>) => void {
  const upsert = db.prepare<
    [string, string | null, string, string, string, number, number, number, string],
    unknown
  >(
    `INSERT INTO memberships (${columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (membership_id) DO UPDATE SET
       user_id = excluded.user_id, product_id = excluded.product_id, plan_id = excluded.plan_id,
       status = excluded.status, cancel_at_period_end = excluded.cancel_at_period_end,
       updated_at = excluded.updated_at, event_timestamp = excluded.event_timestamp,
       webhook_id = excluded.webhook_id
     WHERE (excluded.updated_at, excluded.event_timestamp, excluded.webhook_id)
         > (memberships.updated_at, memberships.event_timestamp, memberships.webhook_id)`,
  );
  return ({ webhookId, effects }) => {
    for (const c of effects) {
      upsert.run(
        c.membershipId,
        c.userId,
        c.productId,
        c.planId,
        c.status,
        c.cancelAtPeriodEnd ? 1 : 0,
        c.updatedAt,
        c.eventTimestamp,
        webhookId,
      );
    }
  };
}

export function membershipsSqliteReader(db: Database.Database): MembershipReader {
  const one = db.prepare<[string], MembershipRow>(
    `SELECT ${columns} FROM memberships WHERE membership_id = ?`,
  );
  const page = db.prepare<
    [string | null, string | null, string | null, string | null, string | null, string | null, number],
    MembershipRow
  >(
    `SELECT ${columns} FROM memberships
     WHERE (? IS NULL OR user_id = ?) AND (? IS NULL OR status = ?) AND (? IS NULL OR membership_id > ?)
     ORDER BY membership_id LIMIT ?`,
  );
  return {
    async getMembership(membershipId) {
      const row = one.get(membershipId);
      return row === undefined ? null : membershipState(row);
    },
    async listMemberships(query) {
      const { userId = null, status = null } = query;
      const after = query.cursor === undefined ? null : decodeMembershipCursor(query.cursor);
      const rows = page.all(userId, userId, status, status, after, after, query.limit + 1);
      return toMembershipPage(rows.map(membershipState), query.limit, query.budget);
    },
  };
}
