// The generator worker's entry: generates the run's lesson events, gives each its webhook-id and
// serialises it exactly as the sending thread would (see `generatedInWorker`), and writes them to
// the shared ring. It stops when the count is reached, when the reader closes the ring, or at the
// first error, which it passes on as a failure record.
import { workerData } from 'node:worker_threads';
import { RingWriter } from './eventRing.js';

/** What the sending thread hands the worker. */
export interface GeneratorWorkerData {
  memory: SharedArrayBuffer;
  seed: string;
  count: number;
  keepIds: boolean;
}

const { memory, seed, count, keepIds } = workerData as GeneratorWorkerData;
const writer = new RingWriter(memory);
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
