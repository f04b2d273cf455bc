// `npm run generate`: rewrites contracts/schemas/*.json and contracts/openapi.json from
// packages/schema, the routes reference page from the receiver's route table, and the entry points
// page from the published packages' exports.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { artefacts, contractsDir, serialise } from './artefacts.js';
import { entryPointsPage, entryPointsPageFile } from './entryPointsPage.js';
import { routesPage, routesPageFile } from './routesPage.js';

for (const { path, content } of artefacts()) {
  const target = join(contractsDir, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, serialise(content));
  console.log(`wrote contracts/${path}`);
}
writeFileSync(join(contractsDir, '..', routesPageFile), routesPage());
console.log(`wrote ${routesPageFile}`);
writeFileSync(join(contractsDir, '..', entryPointsPageFile), entryPointsPage());
console.log(`wrote ${entryPointsPageFile}`);
