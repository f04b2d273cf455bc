import { describe, expect, it } from 'vitest';
import { deliveryOutcomes } from './deliveryOutcomes.ts';
import { outcomeLabel, outcomeRows } from './outcomeRows.ts';

describe('outcomeRows', () => {
  it('lists every declared outcome in order, 0 until counted', () => {
    const rows = outcomeRows(['accepted', 'overloaded', 'too_large'], new Map([['overloaded', 3]]));
    expect(rows).toEqual([
      { outcome: 'accepted', label: 'Accepted', value: 0, tone: 'ok' },
      { outcome: 'overloaded', label: 'Refused: overloaded', value: 3, tone: 'warn' },
      { outcome: 'too_large', label: 'Rejected: too large', value: 0, tone: 'bad' },
    ]);
  });

  it('adds an outcome /metrics reports that the list does not know, under its own name', () => {
    const counted = new Map([
      ['accepted', 5],
      ['zeta_new', 1],
      ['body_too_slow', 2],
    ]);
    const rows = outcomeRows(['accepted'], counted);
    expect(rows.map((r) => [r.outcome, r.label, r.value])).toEqual([
      ['accepted', 'Accepted', 5],
      ['body_too_slow', 'Body too slow', 2],
      ['zeta_new', 'Zeta new', 1],
    ]);
  });

  it('covers every outcome the receiver declares, overloaded refusals included', () => {
    const rows = outcomeRows(deliveryOutcomes, new Map());
    expect(rows.map((r) => r.outcome)).toEqual([...deliveryOutcomes]);
    expect(deliveryOutcomes).toContain('overloaded');
  });
});

describe('outcomeLabel', () => {
  it('makes a label from a name it has no words for, and never reads a prototype member', () => {
    expect(outcomeLabel('store_unavailable')).toBe('Store unavailable');
    expect(outcomeLabel('constructor')).toBe('Constructor');
    expect(outcomeLabel('')).toBe('(no outcome label)');
  });
});
