import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewDelivery } from '../store/core/Store.js';
import { Spool, SpoolFullError } from './Spool.js';
import { encodeRecord } from './spoolRecord.js';

let dir: string;
const opened: Spool[] = [];

beforeEach(() => {
  dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spool-test-')), 'spool');
});
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});

function delivery(id: string, body = `{"id":"${id}","type":"payment.succeeded"}`): NewDelivery {
  return {
    webhookId: id,
    type: 'payment.succeeded',
    status: 'received',
    body: Buffer.from(body),
    headers: { 'webhook-id': id, 'content-type': 'application/json' },
    errors: null,
    receivedAt: 1_700_000_000_000 + Number(id.replace(/\D/g, '') || 0),
  };
}

async function open(options: { maxBytes?: number; segmentBytes?: number } = {}) {
  const result = await Spool.open({ dir, maxBytes: options.maxBytes ?? 1024 * 1024, ...options });
  opened.push(result.spool);
  return result;
}

async function reopen(spool: Spool, options: { maxBytes?: number; segmentBytes?: number } = {}) {
  await spool.close();
  opened.splice(opened.indexOf(spool), 1);
  return open(options);
}

const segmentFiles = () =>
  fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.seg'))
    .sort();

describe('Spool', () => {
  it('keeps appended deliveries across a restart and reads back the exact bytes and fields', async () => {
    const { spool } = await open();
    await spool.append(delivery('msg_1'));
    await spool.append({
      ...delivery('msg_2'),
      status: 'quarantined',
      errors: [{ pointer: '/data', message: 'bad' }],
      errorCount: 3,
    });
    const { spool: again, recovery } = await reopen(spool);
    expect(recovery).toEqual({ records: 2, truncatedBytes: 0, deletedSegments: 0 });
    const batch = await again.next(10);
    expect(batch.map((r) => r.delivery)).toEqual([
      delivery('msg_1'),
      {
        ...delivery('msg_2'),
        status: 'quarantined',
        errors: [{ pointer: '/data', message: 'bad' }],
        errorCount: 3,
      },
    ]);
    expect(again.depth).toBe(2);
    expect(again.oldestReceivedAt).toBe(1_700_000_000_001);
  });

  it('answers a webhook-id already spooled as a duplicate, also after a restart', async () => {
    const { spool } = await open();
    expect((await spool.append(delivery('msg_1'))).duplicate).toBe(false);
    const second = await spool.append(delivery('msg_1'));
    expect(second).toMatchObject({ duplicate: true, entry: { copies: 2 } });
    const { spool: again } = await reopen(spool);
    expect((await again.append(delivery('msg_1'))).duplicate).toBe(true);
    expect(again.depth).toBe(1);
  });

  it('writes concurrent appends with fewer fdatasyncs than appends', async () => {
    const { spool } = await open();
    await Promise.all(Array.from({ length: 50 }, (_, i) => spool.append(delivery(`msg_${i}`))));
    expect(spool.depth).toBe(50);
    // The first append goes alone; the 49 queued behind it share the next write.
    expect(spool.appendSyncs).toBe(2);
  });

  it('cuts a torn record off the end at start-up and keeps the whole ones before it', async () => {
    const { spool } = await open();
    await spool.append(delivery('msg_1'));
    await spool.append(delivery('msg_2'));
    await spool.close();
    opened.pop();
    const file = path.join(dir, segmentFiles()[0]!);
    const whole = fs.statSync(file).size;
    fs.appendFileSync(file, encodeRecord(delivery('msg_3')).subarray(0, 17));
    const { spool: again, recovery } = await open();
    expect(recovery).toEqual({ records: 2, truncatedBytes: 17, deletedSegments: 0 });
    expect(fs.statSync(file).size).toBe(whole);
    expect((await again.next(10)).map((r) => r.delivery.webhookId)).toEqual(['msg_1', 'msg_2']);
  });

  it('stops at a record whose checksum does not match and truncates from there', async () => {
    const { spool } = await open();
    await spool.append(delivery('msg_1'));
    const second = await spool.append(delivery('msg_2'));
    await spool.append(delivery('msg_3'));
    await spool.close();
    opened.pop();
    const file = path.join(dir, segmentFiles()[0]!);
    const bytes = fs.readFileSync(file);
    // One bit of msg_2's body flipped.
    bytes[second.entry.offset + second.entry.length - 3]! ^= 0x01;
    fs.writeFileSync(file, bytes);
    const { spool: again, recovery } = await open();
    expect(recovery.records).toBe(1);
    expect(recovery.truncatedBytes).toBe(bytes.length - second.entry.offset);
    expect((await again.next(10)).map((r) => r.delivery.webhookId)).toEqual(['msg_1']);
  });

  it('forgets committed records across a restart and deletes the segments the drain passed', async () => {
    const { spool } = await open({ segmentBytes: 200 });
    for (let i = 1; i <= 6; i++) await spool.append(delivery(`msg_${i}`));
    const segmentsBefore = segmentFiles().length;
    expect(segmentsBefore).toBeGreaterThan(2);
    const firstFour = (await spool.next(4)).map((r) => r.entry);
    await spool.commit(firstFour);
    expect(spool.depth).toBe(2);
    expect(segmentFiles().length).toBeLessThan(segmentsBefore);
    const { spool: again, recovery } = await reopen(spool, { segmentBytes: 200 });
    expect(recovery.records).toBe(2);
    expect((await again.next(10)).map((r) => r.delivery.webhookId)).toEqual(['msg_5', 'msg_6']);
  });

  it('deletes every segment once all is drained, and numbers new segments past the drain position', async () => {
    const { spool } = await open();
    await spool.append(delivery('msg_1'));
    await spool.commit((await spool.next(10)).map((r) => r.entry));
    expect(segmentFiles()).toEqual([]);
    expect(spool.bytes).toBe(0);
    const { spool: again } = await reopen(spool);
    await again.append(delivery('msg_2'));
    // A segment numbered below the drain position would be taken for drained at the next start.
    const { spool: third, recovery } = await reopen(again);
    expect(recovery.records).toBe(1);
    expect((await third.next(10)).map((r) => r.delivery.webhookId)).toEqual(['msg_2']);
  });

  it('skips a record the store took on its own, and drains the rest', async () => {
    const { spool } = await open();
    const first = await spool.append(delivery('msg_1'));
    await spool.append(delivery('msg_2'));
    await spool.stored(first.entry);
    expect(spool.depth).toBe(1);
    expect((await spool.next(10)).map((r) => r.delivery.webhookId)).toEqual(['msg_2']);
    const { recovery } = await reopen(spool);
    expect(recovery.records).toBe(1);
  });

  it('refuses an append past its byte budget and takes more once drained', async () => {
    const big = 'x'.repeat(150);
    const recordBytes = encodeRecord(delivery('msg_1', big)).length;
    const { spool } = await open({ maxBytes: 3 * recordBytes + 10, segmentBytes: recordBytes });
    let accepted = 0;
    let refused: unknown;
    for (let i = 1; i <= 10 && refused === undefined; i++) {
      try {
        await spool.append(delivery(`msg_${i}`, big));
        accepted++;
      } catch (error) {
        refused = error;
      }
    }
    expect(refused).toBeInstanceOf(SpoolFullError);
    expect(accepted).toBe(3);
    expect(spool.bytes).toBe(3 * recordBytes);
    expect(spool.accepting).toBe(false);
    await spool.commit((await spool.next(10)).map((r) => r.entry));
    expect(spool.bytes).toBe(0);
    await expect(spool.append(delivery('msg_99', big))).resolves.toMatchObject({ duplicate: false });
  });

  it('stops saying it accepts after an append fails, and says so again once one succeeds', async () => {
    const { spool } = await open();
    // Where the first segment would be created: the append cannot create its file.
    fs.mkdirSync(path.join(dir, '0000000000000001.seg'));
    await expect(spool.append(delivery('msg_1'))).rejects.toThrow(/EEXIST/);
    expect(spool.accepting).toBe(false);
    expect(spool.depth).toBe(0);
    await expect(spool.append(delivery('msg_1'))).resolves.toMatchObject({ duplicate: false });
    expect(spool.accepting).toBe(true);
    expect(spool.depth).toBe(1);
  });

  it('refuses a second open of the same directory while the first holds it', async () => {
    await open();
    await expect(Spool.open({ dir, maxBytes: 1024 * 1024 })).rejects.toThrow(/already open in this process/);
  });

  it('takes over a lock left by a process that is gone', async () => {
    fs.mkdirSync(dir, { recursive: true });
    // Far above any pid the kernel hands out (pid_max is at most 2^22).
    fs.writeFileSync(path.join(dir, 'lock'), String(2 ** 30));
    const { spool } = await open();
    expect(fs.readFileSync(path.join(dir, 'lock'), 'utf8')).toBe(String(process.pid));
    expect(spool.depth).toBe(0);
  });
});
