// The vitest projects Stryker runs (`npm run mutation`): the tests beside the mutated code. A group
// may name its own `tests` (globs relative to its one project): the fast tests that aim at its
// modules, so that each mutant's run stays short. The contract and reliability suites run built
// dist/ programs, which a mutant in the sources never reaches, so they are left out.
import { configDefaults, defineConfig } from 'vitest/config';
import { mutationGroups } from './scripts/mutationGroups.mjs';
import { project } from './vitest.workspace-project.ts';

const group = mutationGroups[process.env['MUTATION_GROUP'] ?? ''];
if (group === undefined) throw new Error('MUTATION_GROUP names no group: run `npm run mutation`');

export default defineConfig({
  test: {
    projects:
      group.tests === undefined
        ? group.projects
        : group.projects.map((dir: string) => ({
            ...project(dir, {
              include: group.tests.filter((glob: string) => !glob.startsWith('!')),
              exclude: [
                ...configDefaults.exclude,
                ...group.tests
                  .filter((glob: string) => glob.startsWith('!'))
                  .map((glob: string) => glob.slice(1)),
              ],
              testTimeout: 30_000,
              hookTimeout: 30_000,
            }),
            root: `./${dir}`,
          })),
  },
});
