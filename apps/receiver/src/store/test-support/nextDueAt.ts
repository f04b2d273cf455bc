// When the earliest waiting event becomes due, read through the Store's public listing: nothing in
// the receiver asks this (the processor polls claimDue), so it is a test question, not a Store method.
import type { Store } from '../core/Store.js';

/** The earliest `nextAttemptAt` of a `received` or `failed` event, or null when none is scheduled. */
export async function nextDueAt(store: Store): Promise<number | null> {
  let earliest: number | null = null;
  for (const status of ['received', 'failed'] as const) {
    let cursor: string | null = null;
    do {
      const page = await store.listEvents({ status, limit: 500, ...(cursor === null ? {} : { cursor }) });
      for (const { nextAttemptAt } of page.events) {
        if (nextAttemptAt !== null && (earliest === null || nextAttemptAt < earliest))
          earliest = nextAttemptAt;
      }
      cursor = page.nextCursor;
    } while (cursor !== null);
  }
  return earliest;
}
