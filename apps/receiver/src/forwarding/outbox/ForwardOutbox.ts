// The outbox's operations, whatever the database: the forwarder claims due (event, destination)
// rows under a lease, publishes them, and writes each outcome; the read API and the metrics read
// each event's and each destination's state.
import type { TypePattern } from '../typePattern.js';

/** Where an (event, destination) is: waiting or retrying, done, given up, or refused for good. */
export type OutboxState = 'pending' | 'forwarded' | 'dead' | 'stopped';

/** An (event, destination) handed to one forwarder until its lease ends. */
export interface OutboxItem {
  webhookId: string;
  destination: string;
  type: string;
  /** The exact bytes that were verified. */
  body: Buffer;
  /** Attempts so far, this one included. */
  attempts: number;
  /** The delivery's stored traceparent (null: none was recorded); checked again before use. */
  traceparent?: string | null;
}

/** How one publish of a claimed item ended. */
export type OutboxOutcome =
  | { webhookId: string; destination: string; state: 'forwarded'; at: number }
  | { webhookId: string; destination: string; state: 'pending'; error: string; nextAttemptAt: number }
  | { webhookId: string; destination: string; state: 'dead' | 'stopped'; error: string };

/** One destination's state for one event, as GET /events/{id} shows it. */
export interface DestinationDelivery {
  destination: string;
  state: OutboxState;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: number | null;
  forwardedAt: number | null;
}

/** An (event, destination) given up on: a dead letter. */
export interface DeadLetterRow {
  webhookId: string;
  destination: string;
  type: string | null;
  attempts: number;
  lastError: string | null;
  /** When the event was received. */
  receivedAt: number;
}

/** Which dead letters a list or a re-forward takes; null leaves that filter out. */
export interface DeadLetterFilter {
  destination: string | null;
  type: TypePattern | null;
  /** Events received at or after this time (ms). */
  since: number | null;
  /** Events received before this time (ms). */
  until: number | null;
}

/** Every dead letter. */
export const allDeadLetters: DeadLetterFilter = { destination: null, type: null, since: null, until: null };

/** A batch of dead letters made pending again, and whether more match after it. */
export interface ReforwardedBatch {
  count: number;
  /** The batch's last (event, destination), where the next batch starts; null when it took none. */
  last: DeadLetterPosition | null;
  /** More matching dead letters come after `last`. */
  more: boolean;
}

/** One destination's backlog, counted through an index up to a bound. */
export interface BacklogSummary {
  destination: string;
  /** Pending rows, at most the bound asked for. */
  pending: number;
  /** More pending rows than the bound. */
  pendingCapped: boolean;
  dead: number;
  deadCapped: boolean;
  /** created_at of the oldest pending row; null when none is pending. */
  oldestPendingAt: number | null;
}

/** Where a dead-letter page starts: after this (webhook-id, destination). */
export interface DeadLetterPosition {
  webhookId: string;
  destination: string;
}

/** One destination's backlog, for the metrics. */
export interface OutboxBacklog {
  destination: string;
  pending: number;
  dead: number;
  /** created_at of the oldest pending row; null when none is pending. */
  oldestPendingAt: number | null;
}

export interface ForwardOutbox {
  /**
   * Leases up to `limit` due pending rows of `destination` to `owner` for `leaseMs`, counting an
   * attempt on each, oldest due first. A lease that ran out (its forwarder died) is taken over.
   */
  claim(
    destination: string,
    owner: string,
    now: number,
    leaseMs: number,
    limit: number,
  ): Promise<OutboxItem[]>;
  /** Writes the outcomes of rows `owner` still holds; rows leased to another since are left alone. */
  settle(owner: string, outcomes: readonly OutboxOutcome[]): Promise<void>;
  /**
   * Makes an (event, destination) pending again with its attempts reset, creating the row if the
   * event has none for it (a destination added later), for each of `destinations`. Resolves with
   * how many rows it made pending: 0 when the event is unknown or quarantined.
   */
  reforward(webhookId: string, destinations: readonly string[], now: number): Promise<number>;
  /** Every destination's row for one event, by destination name. */
  deliveriesOf(webhookId: string): Promise<DestinationDelivery[]>;
  /** Pending and dead counts and the oldest pending row, per destination with any row. */
  backlog(): Promise<OutboxBacklog[]>;
  /** Up to `limit` dead letters matching `filter` after `after`, by (webhook-id, destination). */
  deadLetters(
    filter: DeadLetterFilter,
    after: DeadLetterPosition | null,
    limit: number,
  ): Promise<DeadLetterRow[]>;
  /** How many dead letters match `filter`, counted up to `cap` (so the answer is at most `cap`). */
  countDeadLetters(filter: DeadLetterFilter, cap: number): Promise<number>;
  /**
   * Makes pending again, with their attempts reset, up to `limit` dead letters matching `filter`
   * after `after`, in (webhook-id, destination) order, in one short transaction.
   */
  reforwardDead(
    filter: DeadLetterFilter,
    after: DeadLetterPosition | null,
    limit: number,
    now: number,
  ): Promise<ReforwardedBatch>;
  /**
   * Each of `destinations`' pending and dead rows, counted up to `cap` each, and its oldest pending
   * row, read through the outbox's partial indexes: bounded however large the backlog is.
   */
  backlogSummary(destinations: readonly string[], cap: number): Promise<BacklogSummary[]>;
}
