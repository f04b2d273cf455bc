// `npm run generate` (schema part): rewrites the generated catalog source and the catalog page in
// docs/reference/ from the installed @whop/sdk. See catalogSource.ts for the mapping rules.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogFiles } from './catalogSource.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
// A file whose content is already right is left alone: a new mtime on a source file would make every
// build that reads it look stale to the tests that run built programs.
for (const { path, content } of catalogFiles()) {
  const file = join(packageDir, path);
  let current: string | undefined;
  try {
    current = readFileSync(file, 'utf8');
  } catch {}
  if (current === content) {
    console.log(`unchanged ${join('packages/schema', path)}`);
    continue;
  }
  writeFileSync(file, content);
  console.log(`wrote ${join('packages/schema', path)}`);
}
