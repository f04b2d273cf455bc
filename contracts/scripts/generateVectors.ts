// `npm run vectors`: rewrites contracts/vectors/standard-webhooks.json from contracts/scripts/vectors.ts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { contractsDir, serialise } from './artefacts.js';
import { VECTORS_PATH, vectorFile } from './vectors.js';

mkdirSync(dirname(VECTORS_PATH), { recursive: true });
writeFileSync(VECTORS_PATH, serialise(vectorFile() as unknown as Parameters<typeof serialise>[0]));
console.log(`wrote contracts/${relative(contractsDir, VECTORS_PATH)}`);
