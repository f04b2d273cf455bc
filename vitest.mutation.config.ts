// The vitest projects Stryker runs (`npm run mutation`): the unit and integration tests beside the
// mutated code. The contract and reliability suites run built dist/ programs, which a mutant in the
// sources never reaches, so they are left out.
import { defineConfig } from 'vitest/config';

const projectsByGroup: Record<string, string[]> = {
  webhooks: ['packages/webhooks'],
  receiver: ['apps/receiver'],
  sender: ['apps/mock-sender'],
  all: ['packages/webhooks', 'apps/receiver', 'apps/mock-sender'],
};

export default defineConfig({
  test: {
    projects: projectsByGroup[process.env['MUTATION_GROUP'] ?? 'all'] ?? projectsByGroup['all']!,
  },
});
