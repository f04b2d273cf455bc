import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'contracts'],
    reporters: ['default', './scripts/summary-reporter.ts'],
  },
});
