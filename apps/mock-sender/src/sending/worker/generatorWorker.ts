// The generator worker's entry: generates the run's lesson events, gives each its webhook-id and
// serialises it exactly as the sending thread would (see `generatedInWorker`), signs it for the
// current second, and writes them to the shared ring. It stops when the count is reached, when the reader closes the ring, or at the
// first error, which it passes on as a failure record.
import { workerData } from 'node:worker_threads';
import type { SecretInput } from '@webhook-contracts/webhooks';
import { type RingSigner, RingWriter } from './eventRing.js';

/** What the sending thread hands the worker. */
export interface GeneratorWorkerData {
  memory: SharedArrayBuffer;
  seed: string;
  count: number;
  keepIds: boolean;
  /** Sign each event ahead with these secrets, at the current second (the first attempt's header). */
  secret?: SecretInput | readonly SecretInput[] | undefined;
}

const { memory, seed, count, keepIds, secret } = workerData as GeneratorWorkerData;

/** Signs with the run's secrets at the current second; undefined when there is nothing to sign with. */
async function signer(): Promise<{ sign: RingSigner; room: number } | undefined> {
  if (secret === undefined) return undefined;
  const { Webhook } = await import('@webhook-contracts/webhooks');
  const webhook = new Webhook(secret);
  // A key set's signature has one length whatever is signed.
  const room = webhook.sign('msg_', 0, Buffer.alloc(0)).length;
  return {
    room,
    sign: (webhookId, body) => {
      const timestamp = Math.floor(Date.now() / 1000);
      return { timestamp, signature: webhook.sign(webhookId, timestamp, body) };
    },
  };
}

// The sending thread checks the secrets before it sends: here, secrets that cannot sign only mean
// that it signs every event itself.
const signing = await signer().catch(() => undefined);
const writer = new RingWriter(memory, signing?.sign, signing?.room);
try {
  // Loaded here, not imported above: a module that fails to load is then a failure record the
  // sending thread reports, not a worker that dies without a word while that thread waits.
  const [{ generateEvents }, { lessonEventJson }, { Random }] = await Promise.all([
    import('../../generators/generator.js'),
    import('../../generators/lessonEventJson.js'),
    import('../../generators/random.js'),
  ]);
  // The same id stream as the sending thread's `rewriteIds` path: one fresh id drawn per event.
  const ids = new Random(`${seed}:ids`);
  let open = true;
  for (const event of generateEvents({ seed, count })) {
    const fresh = `msg_${ids.base62(24)}`;
    if (!keepIds) event.id = fresh;
    open = writer.write(event.id, lessonEventJson(event));
    if (!open) break;
  }
  if (open) writer.end();
} catch (error) {
  writer.fail(error instanceof Error ? error.message : String(error));
}
