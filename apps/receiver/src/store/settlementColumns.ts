// What a settlement writes: the columns of the event's row and the completions that go with it.
// Both databases write exactly these values.
import { errorColumns } from './eventRow.js';
import type { EventStatus, LessonCompletion, Settlement } from './Store.js';

export interface SettlementColumns {
  status: Exclude<EventStatus, 'received'>;
  /** JSON text of the quarantine errors (the first ones). */
  errors: string | null;
  /** How many quarantine errors were found. */
  errorCount: number | null;
  processedAt: number | null;
  lastError: string | null;
  /** When a failed event is retried; null means never. */
  nextAttemptAt: number | null;
  /** Written in the same transaction, only when the settlement counts. */
  completions: readonly LessonCompletion[];
}

/** One settlement to write, for the claim that made `attempts` (any claim when undefined). */
export interface SettleRow extends SettlementColumns {
  webhookId: string;
  attempts?: number;
}

const none: readonly LessonCompletion[] = [];

export function settlementColumns(s: Settlement, now: number): SettlementColumns {
  switch (s.status) {
    case 'processed':
      return {
        status: 'processed',
        errors: null,
        errorCount: null,
        processedAt: now,
        lastError: null,
        nextAttemptAt: null,
        completions: s.effects.lessonCompletions ?? none,
      };
    case 'quarantined':
      return {
        status: 'quarantined',
        ...errorColumns(s.errors, s.errorCount),
        processedAt: null,
        lastError: null,
        nextAttemptAt: null,
        completions: none,
      };
    case 'unhandled':
      return {
        status: 'unhandled',
        errors: null,
        errorCount: null,
        processedAt: null,
        lastError: null,
        nextAttemptAt: null,
        completions: none,
      };
    case 'failed':
      return {
        status: 'failed',
        errors: null,
        errorCount: null,
        processedAt: null,
        lastError: s.error,
        nextAttemptAt: s.nextAttemptAt,
        completions: none,
      };
  }
}
