import { describe, expect, it } from 'vitest';
import type { DeliveryRecord } from '../sending/send.js';
import { DeliveryLog, RECORD_LIMITS } from './DeliveryLog.js';

const record = (id: string, extra: Partial<DeliveryRecord> = {}): DeliveryRecord => ({
  id,
  delivered: true,
  status: 200,
  attempts: [],
  gone: false,
  type: 't',
  to: 'u',
  ...extra,
});

describe('DeliveryLog', () => {
  it('keeps only the most recent deliveries, oldest first', () => {
    const log = new DeliveryLog(3);
    for (const id of ['a', 'b', 'c', 'd', 'e']) log.add(record(id));
    expect(log.list().map((r) => r.id)).toEqual(['c', 'd', 'e']);
    expect(log.list(2).map((r) => r.id)).toEqual(['d', 'e']);
  });

  it("cuts a replayed event's id and type and a receiver's reason when it stores them", () => {
    const log = new DeliveryLog(3);
    log.add(
      record('i'.repeat(1_000_000), {
        type: 't'.repeat(10_000),
        to: `http://x/${'p'.repeat(5000)}`,
        attempts: [{ status: 500, latencyMs: 1, at: '', reason: `body: ${'r'.repeat(5000)}` }],
      }),
    );
    const [stored] = log.list();
    expect(stored?.id).toBe(`${'i'.repeat(RECORD_LIMITS.id)}…`);
    expect(stored?.type).toBe(`${'t'.repeat(RECORD_LIMITS.type)}…`);
    expect(stored?.to).toHaveLength(RECORD_LIMITS.to + 1);
    expect(stored?.attempts[0]?.reason).toHaveLength(RECORD_LIMITS.reason + 1);
  });

  it('stops a page at its byte budget, newest kept, and says so', () => {
    const log = new DeliveryLog(100, 1000);
    for (let i = 0; i < 20; i++)
      log.add(record(`msg_${String(i).padStart(2, '0')}`, { type: 'x'.repeat(100) }));
    const page = log.page();
    expect(page.truncated).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(page.deliveries))).toBeLessThanOrEqual(1000);
    expect(page.deliveries.at(-1)?.id).toBe('msg_19');
    expect(page.deliveries.length).toBeGreaterThan(3);
    expect(log.page(2)).toEqual({
      deliveries: [expect.objectContaining({ id: 'msg_18' }), expect.objectContaining({ id: 'msg_19' })],
      truncated: false,
    });
  });
});
