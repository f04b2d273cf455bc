import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      'packages/*',
      'apps/*',
      'apps/*/inspector',
      'contracts',
      'contracts/reliability',
      'contracts/browser',
      'bench',
    ],
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
});
