// Which destinations an event goes to: each destination's name and its type filter. Plain data, so
// it crosses to the SQLite writer thread, which writes an event's outbox rows in the transaction
// that stores the event.

/** A destination the outbox writes rows for, and the event types it takes (null: all of them). */
export interface OutboxRoute {
  destination: string;
  /** Exact types, or `prefix.*` for every type under the prefix; null for every type. */
  types: readonly string[] | null;
}

/** One outbox row to create: this event, to this destination. */
export interface OutboxPair {
  webhookId: string;
  destination: string;
}

/** Whether `type` passes a FORWARD_<KIND>_TYPES filter (`membership.*` takes `membership.went_valid`). */
export function typeMatches(type: string, filter: readonly string[] | null): boolean {
  if (filter === null) return true;
  return filter.some((f) => (f.endsWith('.*') ? type.startsWith(f.slice(0, -1)) : f === type));
}

/**
 * The outbox rows a stored event needs: an authentic event that passed the contract (`received`,
 * later `processed`) or of a type the contract does not know (`unhandled`). Quarantined events are
 * forwarded only once a replay settles them as one of those. An event without a type has no
 * subject or routing key, and is not forwarded.
 */
export function outboxPairs(
  events: readonly { webhookId: string; type: string | null; status: string }[],
  routes: readonly OutboxRoute[],
): OutboxPair[] {
  const pairs: OutboxPair[] = [];
  if (routes.length === 0) return pairs;
  for (const e of events) {
    if (e.type === null || !forwardedStatuses.has(e.status)) continue;
    for (const r of routes) {
      if (typeMatches(e.type, r.types)) pairs.push({ webhookId: e.webhookId, destination: r.destination });
    }
  }
  return pairs;
}

const forwardedStatuses = new Set(['received', 'processed', 'unhandled']);
