// `npm run generate` (schema part): rewrites the generated catalog source and the README table
// from the installed @whop/sdk. See catalogSource.ts for the mapping rules.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogFiles } from './catalogSource.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
for (const { path, content } of catalogFiles(readme)) {
  writeFileSync(join(packageDir, path), content);
  console.log(`wrote packages/schema/${path}`);
}
