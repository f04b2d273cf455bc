import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'contracts', 'contracts/reliability', 'contracts/browser', 'bench'],
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
});
