// The vitest projects Stryker runs (`npm run mutation`): the tests beside the mutated code. A group
// may name its own `tests` (globs relative to its one project): the fast tests that aim at its
// modules, so that each mutant's run stays short. The contract and reliability suites run built
// dist/ programs, which a mutant in the sources never reaches, so they are left out.
import { statSync } from 'node:fs';
import { configDefaults, defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { mutationGroups } from './scripts/mutationGroups.mjs';
import { project } from './vitest.workspace-project.ts';

const group = mutationGroups[process.env['MUTATION_GROUP'] ?? ''];
if (group === undefined) throw new Error('MUTATION_GROUP names no group: run `npm run mutation`');

/**
 * Smallest test files first. Stryker stops a mutant's run at its first failing test, and vitest's
 * own order (longest-running files first) would make nearly every mutant wait for the slowest file,
 * PostgreSQL's, before a unit test beside the code gets to kill it. Size stands in for run time.
 */
class SmallestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const size = (f: TestSpecification) => statSync(f.moduleId).size;
    return [...files].sort((a, b) => size(a) - size(b) || a.moduleId.localeCompare(b.moduleId));
  }
}

export default defineConfig({
  test: {
    sequence: { sequencer: SmallestFirst },
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
              testTimeout: group.testTimeout ?? 30_000,
              hookTimeout: 30_000,
            }),
            root: `./${dir}`,
          })),
  },
});
