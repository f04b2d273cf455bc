// Shared vitest settings for every project in the workspace: resolve our own packages to their
// TypeScript source (the `@webhook-contracts/source` export condition), so tests need no build
// of the packages they import. The apps' end-to-end tests start built `dist/` programs instead.
import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

// Vitest passes ssr.resolve.conditions to its workers as `node --conditions`, which applies to
// require() too: listing `import` there would make require() of a dual package (e.g. is-promise,
// used by Express's router) load its ESM build. So only our own condition and `node` are added.
const conditions = ['@webhook-contracts/source', 'node'];

export function project(name: string, test: UserWorkspaceConfig['test'] = {}) {
  return defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@webhook-contracts/source'] } },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      ...test,
    },
  });
}
