// A child process that appends to a spool without end, 20 deliveries at a time, and prints
// `acked <id>` for each append that resolved (written and fdatasync'd): the test SIGKILLs it
// mid-write and checks every acknowledged id is read back.
import { Spool } from '../Spool.js';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: appendingChild.ts <spool dir>');
const { spool } = await Spool.open({ dir, maxBytes: 1024 ** 3, segmentBytes: 256 * 1024 });
process.stdout.write('ready\n');
for (let group = 0; ; group++) {
  await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      const id = `msg_${group}_${i}`;
      await spool.append({
        webhookId: id,
        type: 'payment.succeeded',
        status: 'received',
        // Sizes vary so a kill can land anywhere in a record.
        body: Buffer.from(JSON.stringify({ id, pad: 'x'.repeat((group * 37 + i * 101) % 4000) })),
        headers: { 'webhook-id': id },
        errors: null,
        receivedAt: Date.now(),
      });
      process.stdout.write(`acked ${id}\n`);
    }),
  );
}
