// The vitest projects Stryker runs (`npm run mutation`): the unit and integration tests beside the
// mutated code. The contract and reliability suites run built dist/ programs, which a mutant in the
// sources never reaches, so they are left out.
import { defineConfig } from 'vitest/config';
import { mutationGroups } from './scripts/mutationGroups.mjs';

const group = mutationGroups[process.env['MUTATION_GROUP'] ?? ''];
if (group === undefined) throw new Error('MUTATION_GROUP names no group: run `npm run mutation`');

export default defineConfig({ test: { projects: group.projects } });
