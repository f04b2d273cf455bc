import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { prepareV1Key, v1Digest } from './v1Key.js';

/** The v1 HMAC as Node computes it, the value v1Digest must equal. */
function reference(secret: Buffer, id: string, timestamp: number, body: Buffer): string {
  return createHmac('sha256', secret).update(`${id}.${timestamp}.`).update(body).digest('base64');
}

describe('v1Digest', () => {
  it('equals createHmac for keys shorter and longer than a block, any id text and any body bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.integer({ min: 0, max: 4_102_444_800 }),
        fc.uint8Array({ maxLength: 500 }),
        (secret, id, timestamp, body) => {
          const key = Buffer.from(secret);
          const bytes = Buffer.from(body);
          expect(v1Digest(prepareV1Key(key), id, timestamp, bytes)).toBe(
            reference(key, id, timestamp, bytes),
          );
        },
      ),
    );
  });

  it('stays correct as one key digests bodies past its buffer, past the assembled maximum, then small ones', () => {
    const secret = Buffer.from('a 32-byte secret for the v1 HMAC');
    const key = prepareV1Key(secret);
    for (const size of [10, 20_000, 100_000, 2 * 1024 * 1024, 0, 5]) {
      const body = Buffer.alloc(size, size % 251);
      expect(v1Digest(key, 'msg_1', 1_727_606_400, body)).toBe(
        reference(secret, 'msg_1', 1_727_606_400, body),
      );
    }
  });

  it('keeps a key of exactly one block as it is', () => {
    const secret = Buffer.alloc(64, 7);
    const body = Buffer.from('{"type":"payment.succeeded"}');
    expect(v1Digest(prepareV1Key(secret), 'msg_é', 1, body)).toBe(reference(secret, 'msg_é', 1, body));
  });
});

describe('v1Digest on a Node without crypto.hash (before 20.12)', () => {
  it('computes the same value through createHmac', async () => {
    const original = await vi.importActual<typeof import('node:crypto')>('node:crypto');
    const createHmacSpy = vi.fn(original.createHmac);
    vi.resetModules();
    vi.doMock('node:crypto', () => ({ ...original, hash: undefined, createHmac: createHmacSpy }));
    try {
      const withoutHash = await import('./v1Key.js');
      const secret = Buffer.from('whsec-like secret bytes');
      const body = Buffer.from('{"id":"evt_1"}');
      expect(withoutHash.v1Digest(withoutHash.prepareV1Key(secret), 'msg_1', 2, body)).toBe(
        reference(secret, 'msg_1', 2, body),
      );
      expect(createHmacSpy).toHaveBeenCalledTimes(1);
    } finally {
      vi.doUnmock('node:crypto');
      vi.resetModules();
    }
  });
});
