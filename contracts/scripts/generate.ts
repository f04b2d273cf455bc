// `npm run generate`: rewrites contracts/schemas/*.json and contracts/openapi.json from packages/schema.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { artefacts, contractsDir, serialise } from './artefacts.js';

for (const { path, content } of artefacts()) {
  const target = join(contractsDir, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, serialise(content));
  console.log(`wrote contracts/${path}`);
}
