// A child process for the crash tests: opens the store a database URL names and runs a Processor
// whose handler for course_lesson_interaction.completed kills its own process with SIGKILL, as a
// handler that crashes the process would. Prints `ready` once processing runs and `handling <id>`
// (written synchronously) just before each kill; SIGTERM stops it cleanly (exit 0).
//   node --import tsx crashingProcessor.ts <database-url> <max-attempts> <lease-ms>
import { writeSync } from 'node:fs';
import { Processor } from '../../processing/Processor.js';
import { openStore } from '../openStore.js';

const [url, maxAttempts, leaseMs] = process.argv.slice(2);
if (url === undefined || maxAttempts === undefined || leaseMs === undefined) {
  throw new Error('usage: crashingProcessor.ts <database-url> <max-attempts> <lease-ms>');
}
const store = await openStore(url, { startupTimeoutMs: 0 });
const processor = new Processor({
  store,
  maxAttempts: Number(maxAttempts),
  leaseMs: Number(leaseMs),
  pollIntervalMs: 20,
  handlers: {
    'course_lesson_interaction.completed': (event) => {
      writeSync(1, `handling ${event.id}\n`);
      process.kill(process.pid, 'SIGKILL');
      return {};
    },
  },
});
processor.start();
writeSync(1, 'ready\n');
process.once('SIGTERM', () => {
  void processor
    .stop()
    .then(() => store.close())
    .then(() => process.exit(0));
});
