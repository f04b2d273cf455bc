// `npm run generate` (root part): rewrites docs/reference/mutation-scores.md from the committed
// mutation reports, without running Stryker.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mutationPageFile, writeMutationPage } from './mutationTable.mjs';

writeMutationPage(join(dirname(fileURLToPath(import.meta.url)), '..'));
console.log(`wrote ${mutationPageFile}`);
