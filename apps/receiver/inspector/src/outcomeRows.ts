// The rows of the counters view's "deliveries by outcome": every outcome the receiver declares
// (deliveryOutcomes.ts, generated from its metrics), then any other outcome /metrics reports, so
// a counter the page has not heard of still shows, under a label made from its name.

export type Tone = 'ok' | 'info' | 'warn' | 'bad';

export interface OutcomeRow {
  outcome: string;
  label: string;
  value: number;
  tone: Tone;
}

// Nicer words for some outcomes; any other is labelled from its own name (outcomeLabel).
const LABELS = new Map<string, string>([
  ['rejected_signature', 'Rejected: signature'],
  ['rejected_contract', 'Rejected: contract'],
  ['too_large', 'Rejected: too large'],
  ['bad_request', 'Rejected: bad request'],
  ['unstorable', 'Refused: unstorable'],
  ['overloaded', 'Refused: overloaded'],
]);

const TONES = new Map<string, Tone>([
  ['accepted', 'ok'],
  ['duplicate', 'info'],
  ['unhandled', 'info'],
  ['quarantined', 'warn'],
  // Refusals the sender retries: the receiver was busy, the delivery was not wrong.
  ['overloaded', 'warn'],
  ['store_unavailable', 'warn'],
]);

/**
 * A readable label for an outcome: `body_too_slow` → `Body too slow`.
 *
 * @example
 * outcomeLabel('too_large'); // 'Rejected: too large'
 */
export function outcomeLabel(outcome: string): string {
  const nice = LABELS.get(outcome);
  if (nice !== undefined) return nice;
  if (outcome === '') return '(no outcome label)';
  const words = outcome.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * One row per declared outcome (0 until counted), in the declared order, then one per other
 * outcome in `counted`, by name.
 */
export function outcomeRows(declared: readonly string[], counted: ReadonlyMap<string, number>): OutcomeRow[] {
  const known = new Set(declared);
  const others = [...counted.keys()].filter((outcome) => !known.has(outcome)).sort();
  return [...known, ...others].map((outcome) => ({
    outcome,
    label: outcomeLabel(outcome),
    value: counted.get(outcome) ?? 0,
    tone: TONES.get(outcome) ?? 'bad',
  }));
}
