import { describe, expect, it } from 'vitest';
import type { NewDelivery } from '../store/core/Store.js';
import { decodeRecord, encodeRecord } from './spoolRecord.js';

const delivery: NewDelivery = {
  webhookId: 'msg_trace',
  type: 'payment.succeeded',
  status: 'received',
  body: Buffer.from('{"type":"payment.succeeded"}'),
  headers: { 'webhook-id': 'msg_trace' },
  errors: null,
  receivedAt: 1_700_000_000_000,
};
const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

function roundTrip(d: NewDelivery) {
  const read = decodeRecord(encodeRecord(d), 0);
  if (read.kind !== 'record') throw new Error(`expected a record, got ${read.kind}`);
  return read.delivery;
}

describe('a spool record', () => {
  it('keeps the delivery traceparent, so a drained event continues its trace', () => {
    expect(roundTrip({ ...delivery, traceparent }).traceparent).toBe(traceparent);
  });

  it('has no traceparent when none was recorded', () => {
    expect(roundTrip(delivery)).not.toHaveProperty('traceparent');
  });

  it('drops a traceparent that does not parse when read back', () => {
    expect(roundTrip({ ...delivery, traceparent: 'not-a-traceparent' })).not.toHaveProperty('traceparent');
  });
});
