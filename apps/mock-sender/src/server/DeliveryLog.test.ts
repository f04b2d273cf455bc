import { describe, expect, it } from 'vitest';
import type { DeliveryRecord } from '../send.js';
import { DeliveryLog } from './DeliveryLog.js';

const record = (id: string): DeliveryRecord => ({
  id,
  delivered: true,
  status: 200,
  attempts: [],
  gone: false,
  type: 't',
  to: 'u',
});

describe('DeliveryLog', () => {
  it('keeps only the most recent deliveries, oldest first', () => {
    const log = new DeliveryLog(3);
    for (const id of ['a', 'b', 'c', 'd', 'e']) log.add(record(id));
    expect(log.list().map((r) => r.id)).toEqual(['c', 'd', 'e']);
    expect(log.list(2).map((r) => r.id)).toEqual(['d', 'e']);
  });
});
