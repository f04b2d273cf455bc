// `npm run generate` (schema part): rewrites the generated catalog source and the catalog page in
// docs/reference/ from the installed @whop/sdk. See catalogSource.ts for the mapping rules.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogFiles } from './catalogSource.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const { path, content } of catalogFiles()) {
  writeFileSync(join(packageDir, path), content);
  console.log(`wrote ${join('packages/schema', path)}`);
}
