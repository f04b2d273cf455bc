// What a settlement writes: the columns of the event's row and the read models' effects that go
// with it. Both databases write exactly these values.
import type { AnyReadModel, EffectBatch } from '../../readModels/ReadModel.js';
import { errorColumns } from './eventRow.js';
import type { EventStatus, ProcessingEffects, Settlement } from './Store.js';

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
  /** The read models' effects, written in the same transaction, only when the settlement counts. */
  effects: ProcessingEffects;
}

/** One settlement to write, for the claim that made `attempts` (any claim when undefined). */
export interface SettleRow extends SettlementColumns {
  webhookId: string;
  attempts?: number;
}

const none: ProcessingEffects = {};

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
        effects: s.effects,
      };
    case 'quarantined':
      return {
        status: 'quarantined',
        ...errorColumns(s.errors, s.errorCount),
        processedAt: null,
        lastError: null,
        nextAttemptAt: null,
        effects: none,
      };
    case 'unhandled':
      return {
        status: 'unhandled',
        errors: null,
        errorCount: null,
        processedAt: null,
        lastError: null,
        nextAttemptAt: null,
        effects: none,
      };
    case 'failed':
      return {
        status: 'failed',
        errors: null,
        errorCount: null,
        processedAt: null,
        lastError: s.error,
        nextAttemptAt: s.nextAttemptAt,
        effects: none,
      };
  }
}

/** The non-empty effects of `rows` that `model` writes, one batch per event, in the rows' order. */
export function effectBatches(
  model: AnyReadModel,
  rows: readonly { webhookId: string; effects: ProcessingEffects }[],
): EffectBatch<unknown>[] {
  const batches: EffectBatch<unknown>[] = [];
  for (const r of rows) {
    const effects = r.effects[model.effectKey];
    if (effects !== undefined && effects.length > 0) batches.push({ webhookId: r.webhookId, effects });
  }
  return batches;
}
