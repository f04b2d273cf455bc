// The one storage interface the receiver talks to. StoreCore implements it once; SqliteStore and
// PostgresStore are its database dialects and keep every SQL statement to themselves. Everything
// here is async so a network database fits behind the same shape.
import { type EventStatus, eventStatuses, type KnownEvent, maxFilterValues } from '@webhook-contracts/schema';
import type { ForwardOutbox } from '../../forwarding/outbox/ForwardOutbox.js';
import type { ReadModelOf } from '../../readModels/ReadModel.js';

/** Where an event is in its life (see the README's status model): the read API's statuses. */
export { type EventStatus, eventStatuses };

/** A field-level problem with a payload; the same shape as the schema package's ContractError. */
export interface EventError {
  pointer: string;
  message: string;
}

/** A verified delivery, as the HTTP layer hands it to the store. */
export interface NewDelivery {
  webhookId: string;
  /** The envelope's `type`, or null when the body is not JSON or has no string `type`. */
  type: string | null;
  status: 'received' | 'quarantined' | 'unhandled';
  /** The exact bytes that arrived. */
  body: Buffer;
  /** Request headers worth keeping; the caller has already removed the signature. */
  headers: Record<string, string>;
  /** The first contract errors (the schema package lists at most 20), or null. */
  errors: readonly EventError[] | null;
  /** How many contract errors were found, listed or not; `errors.length` when absent. */
  errorCount?: number;
  /** Milliseconds since the epoch. */
  receivedAt: number;
  /**
   * For a `received` delivery: the contract-valid event `body` parses to, as the HTTP layer already
   * verified, parsed and validated it. A store may hand it to the processor with the fresh row, so
   * the bytes are not parsed and validated again; it is never stored (the bytes are).
   */
  event?: KnownEvent;
  /**
   * The W3C traceparent of the delivery's receive span (tracing/), stored so that processing and
   * forwarding continue its trace; absent when no SDK traced it. Only a value the tracing module
   * formatted and checked (version 00, 55 characters), never a header from outside.
   */
  traceparent?: string;
}

export interface InsertOutcome {
  /** true when this delivery created the row; false for a webhook-id already stored. */
  inserted: boolean;
  status: EventStatus;
  deliveriesSeen: number;
}

export interface StoredEvent {
  webhookId: string;
  type: string | null;
  status: EventStatus;
  body: Buffer;
  headers: Record<string, string>;
  /** The first contract errors, at most maxListedContractErrors; null when there are none. */
  errors: EventError[] | null;
  /** How many contract errors were found (null with `errors`); more than listed when cut. */
  errorCount: number | null;
  deliveriesSeen: number;
  receivedAt: number;
  processedAt: number | null;
  attempts: number;
  lastError: string | null;
  /** When a `received` or retrying `failed` event is next due; null when nothing is scheduled. */
  nextAttemptAt: number | null;
}

export type EventSummary = Omit<StoredEvent, 'body' | 'headers'>;

/**
 * A page's size in bytes as well as in rows: the page ends before the item that would take it past
 * `maxBytes` (measured by `sizeOf`, e.g. its encoded JSON), and its `nextCursor` starts the next
 * page at that item. The first item is always taken, whatever its size, so every page advances.
 */
export interface PageBudget<T> {
  maxBytes: number;
  sizeOf(item: T): number;
}

export interface ListEventsQuery {
  type?: string;
  status?: EventStatus;
  limit: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
  budget?: PageBudget<EventSummary>;
}

export interface EventPage {
  events: EventSummary[];
  nextCursor: string | null;
}

/** Where an export page ends: the next page starts after this (received_at, webhook_id). */
export interface ExportPosition {
  receivedAt: number;
  webhookId: string;
}

export interface ExportEventsQuery {
  /** Only events of one of these types (at most maxExportFilterValues). */
  types?: readonly string[];
  /** Only events in one of these statuses. */
  statuses?: readonly EventStatus[];
  /** Only events received at or after this time (ms since the epoch). */
  since?: number;
  /** Only events received before this time (ms since the epoch). */
  until?: number;
  /** The last event of the previous page; absent for the first page. */
  after?: ExportPosition;
  /** Most events on the page, 1 to maxExportPage. */
  limit: number;
  /**
   * Most body bytes on the page: the page ends before the event whose body would take it past this
   * (the first event is always taken). The store reads only the bodies it returns.
   */
  maxBytes?: number;
}

/** A stored event as the export writes it: its identity and the exact bytes that arrived. */
export interface ExportedEvent {
  webhookId: string;
  type: string | null;
  status: EventStatus;
  receivedAt: number;
  body: Buffer;
}

/** Most events one exportEvents() call returns: a page's bodies are all in memory at once. */
export const maxExportPage = 1000;

/** Most values in one exportEvents() filter list: as many as the read API's filters take. */
export const maxExportFilterValues = maxFilterValues;

/** An event handed to one worker until `leaseUntil`. */
export interface ClaimedEvent {
  webhookId: string;
  type: string | null;
  body: Buffer;
  /**
   * The validated event `body` parses to, when the store still holds it from the delivery (a fresh
   * row); absent for rows read back from the database, whose bytes the processor parses and checks.
   */
  event?: KnownEvent;
  /** The delivery's stored traceparent, if one was recorded (check it before use: it was read back). */
  traceparent?: string;
  attempts: number;
  claimedBy: string;
  leaseUntil: number;
}

/**
 * What a handler asks the store to write, atomically with marking the event processed: effects by
 * the `effectKey` of the read model that writes them (e.g. `lessonCompletions`). Plain data only.
 * A key no registered read model claims is ignored.
 */
export interface ProcessingEffects {
  readonly [effectKey: string]: readonly unknown[] | undefined;
}

/** How the processor settles a claimed event. */
export type Settlement =
  | { status: 'processed'; effects: ProcessingEffects }
  | { status: 'quarantined'; errors: readonly EventError[]; errorCount?: number }
  | { status: 'unhandled' }
  | { status: 'failed'; error: string; nextAttemptAt: number | null };

export interface SettleItem {
  webhookId: string;
  settlement: Settlement;
  /**
   * The `attempts` of the claim being settled (ClaimedEvent.attempts). When given, the settlement
   * counts only while that same claim holds the event: a worker that re-claimed it since (after its
   * lease expired) cannot have the older run's outcome applied to the newer claim.
   */
  attempts?: number;
}

export interface Store {
  /** Stores a verified delivery durably (committed and fsync'd when the promise resolves). */
  insertDelivery(delivery: NewDelivery): Promise<InsertOutcome>;
  getEvent(webhookId: string): Promise<StoredEvent | null>;
  listEvents(query: ListEventsQuery): Promise<EventPage>;
  /**
   * One page of matching events, oldest first: ordered by (receivedAt, webhookId), starting after
   * `query.after`. Walks an index, so each page costs its own rows whatever the table holds. A page
   * is shorter than `limit` when it is the last or when `maxBytes` ended it: only an empty page
   * says there is nothing more.
   */
  exportEvents(query: ExportEventsQuery): Promise<ExportedEvent[]>;
  /**
   * Leases up to `limit` due events (status `received`, or `failed` with a retry due) whose lease
   * is free or expired, to `workerId` for `leaseMs`; each claim counts as an attempt, written before
   * the events are handed out (a handler that crashes the process still counts). With `maxAttempts`,
   * an event already claimed that often whose last claim was never settled (its processor keeps
   * dying on it) is marked `failed` instead, across restarts too. A store shared by several
   * processes (PostgreSQL) times leases by the database's clock, not `now`.
   */
  claimDue(
    workerId: string,
    now: number,
    leaseMs: number,
    limit: number,
    maxAttempts?: number,
  ): Promise<ClaimedEvent[]>;
  /**
   * Writes the settlement (and its effects) in one transaction, only if `workerId` still holds the
   * lease. Resolves false when the lease was lost (another worker owns the event now).
   */
  settle(
    webhookId: string,
    workerId: string,
    settlement: Settlement,
    now: number,
    attempts?: number,
  ): Promise<boolean>;
  /**
   * settle() for several events in ONE transaction (one commit): all or nothing. Resolves with one
   * boolean per item, false where the lease was lost. Optional: without it the processor settles
   * event by event (correct, but one commit per event).
   */
  settleMany?(workerId: string, items: readonly SettleItem[], now: number): Promise<boolean[]>;
  /** Resets an event to `received` (attempts 0, lease cleared) so it is processed again. */
  requeue(webhookId: string, now: number): Promise<boolean>;
  /**
   * The reads of a registered read model on this store's database (e.g.
   * `store.reader(lessonProgress).listProgress(query)`); its errors are StoreErrors as any call's.
   */
  reader<R>(model: ReadModelOf<R>): R;
  /**
   * The forwarding outbox on this store's database: rows written with the events they forward (see
   * forwarding/). Absent on a store without one.
   */
  readonly outbox?: ForwardOutbox | undefined;
  /**
   * Resolves when the database answers; rejects otherwise. While insert commits are failing for the
   * database's sake (a full disk), it also writes, and resolves only once a write succeeds.
   */
  ping(): Promise<void>;
  /** Insert transactions committed so far (one per group-committed batch), if the store counts them. */
  readonly commitCount?: number;
  /** Flushes pending writes and closes; later calls reject with StoreError('store_closed'). */
  close(): Promise<void>;
}
