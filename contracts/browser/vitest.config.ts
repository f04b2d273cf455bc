import { project } from '../../vitest.workspace-project.ts';

// Drives Debian's Chromium against the built receiver and sender; without /usr/bin/chromium the
// tests register as skipped and the global setup prints why, once.
export default project('browser', {
  include: ['**/*.test.ts'],
  globalSetup: ['./support/announceSkip.ts'],
  fileParallelism: false,
  testTimeout: 120_000,
  hookTimeout: 120_000,
  // The pages refresh every few seconds and share 2 cores with everything else: polls wait longer
  // than vitest's default second.
  expect: { poll: { timeout: 15_000 } },
});
