// The module groups `npm run mutation` mutates, one Stryker run (and one incremental file) each,
// and the vitest projects whose tests run against them. `tests` (globs relative to the one project)
// narrows a group to the tests that aim at its modules (a glob starting with `!` leaves files out);
// without it the whole project runs.
// `testTimeout` (default 30 s) may shorten those tests' limit, so that a mutant which hangs a test
// fails it quickly instead of running into Stryker's timeout (which also restarts the runner).
export const mutationGroups = {
  webhooks: { mutate: ['packages/webhooks/src/**/*.ts'], projects: ['packages/webhooks'] },
  'receiver-store': {
    // The writer worker's entry runs only in its own thread, where Stryker's mutant switch and
    // coverage do not reach; what it runs (SqliteWriterService) is mutated and tested in-thread.
    mutate: ['apps/receiver/src/store/**/*.ts', '!apps/receiver/src/store/sqlite/SqliteWriterWorker.ts'],
    projects: ['apps/receiver'],
    // The writer-thread copy of the Store contract starts a thread per test; its in-thread copy runs.
    tests: ['src/store/**/*.test.ts', '!src/store/sqlite/SqliteStoreWriterThread.test.ts'],
  },
  'receiver-processing': {
    mutate: ['apps/receiver/src/processing/**/*.ts'],
    projects: ['apps/receiver'],
    tests: ['src/processing/**/*.test.ts'],
    // Each test takes well under a second; a mutant that makes stop() hang would hold one for 30 s.
    testTimeout: 8000,
  },
  'receiver-http': {
    mutate: ['apps/receiver/src/http/**/*.ts'],
    projects: ['apps/receiver'],
    tests: ['src/http/**/*.test.ts'],
  },
  'receiver-read-models': {
    // Each read model's handler, SQL for both databases, cursor and routes; test-support is left
    // out by stryker.config.mjs.
    mutate: ['apps/receiver/src/readModels/**/*.ts'],
    projects: ['apps/receiver'],
    // The read models' own tests (memberships through both stores and the read API) and the read
    // API router's, whose GET /progress tests drive lesson progress's routes, cursor and SQLite reads.
    tests: ['src/readModels/**/*.test.ts', 'src/http/createReadApiRouter.test.ts'],
  },
  sender: {
    // The delivery of each event (retries, Retry-After, the pool, fault injection) and the HTTP
    // transports under it; what send() composes above them is covered by the contract tests.
    mutate: [
      'apps/mock-sender/src/sending/transport/**/*.ts',
      'apps/mock-sender/src/sending/{deliverEvent,faults,pool,retryAfter}.ts',
    ],
    projects: ['apps/mock-sender'],
    // The sending tests, send's included (retries, Retry-After, 410 through deliverEvent, on msw),
    // and check's (the undici transport against broken receivers); the CLI and serve tests spawn dist/.
    tests: ['src/sending/**/*.test.ts', 'src/check/**/*.test.ts'],
  },
};

/** Names a user may pass: a group, `receiver` (its four groups) or `all`. */
export function expandGroupName(name) {
  if (name === 'all') return Object.keys(mutationGroups);
  if (name === 'receiver') return Object.keys(mutationGroups).filter((g) => g.startsWith('receiver-'));
  return name in mutationGroups ? [name] : undefined;
}
