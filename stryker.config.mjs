// Stryker mutation testing over the code whose guarantees the suite claims to prove (see
// contracts/README.md, "Mutation testing"). Run it through `npm run mutation`
// (scripts/mutation.mjs), which runs one group at a time and prints the scores.
// @ts-check
import { mutationGroups } from './scripts/mutationGroups.mjs';

const group = process.env.MUTATION_GROUP ?? '';
const selected = mutationGroups[group];
if (selected === undefined)
  throw new Error(`unknown MUTATION_GROUP "${group}": use one of ${Object.keys(mutationGroups).join(', ')}`);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // pnpm does not hoist the runner next to Stryker's core, so name it by its resolved path.
  plugins: [import.meta.resolve('@stryker-mutator/vitest-runner')],
  vitest: { configFile: 'vitest.mutation.config.ts' },
  mutate: [...selected.mutate, '!**/*.test.ts', '!**/test-support/**'],
  // pnpm links each package's dependencies into its own node_modules, which a sandbox copy would
  // lose: mutate the files where they are (Stryker restores them when it ends).
  inPlace: true,
  // Only the mutated files are rewritten (Stryker would otherwise add `// @ts-nocheck` to every
  // file in the repository); vitest does not type-check, so nothing else needs it.
  disableTypeChecks: false,
  coverageAnalysis: 'perTest',
  // Mutants in module-level code (constants, compiled validators) need every test re-run each:
  // 85 % of the time for a third of the mutants. They are reported as Ignored, not as killed.
  ignoreStatic: true,
  incremental: true,
  incrementalFile: `reports/mutation/incremental-${group}.json`,
  reporters: ['clear-text', 'json', 'progress'],
  jsonReporter: { fileName: `reports/mutation/mutation-${group}.json` },
  concurrency: 2,
  timeoutMS: 20_000,
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
