// Build step: copy contracts/examples/**/*.json into dist/examples/ so the built CLI finds the
// docs' examples without the repository layout around it.
import { cpSync, existsSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const app = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const from = path.resolve(app, '../../contracts/examples');
const to = path.join(app, 'dist/examples');

if (!existsSync(from)) {
  console.error(`copy-examples: ${from} does not exist; nothing to copy`);
  process.exit(1);
}
rmSync(to, { recursive: true, force: true });
cpSync(from, to, {
  recursive: true,
  filter: (source) => statSync(source).isDirectory() || source.endsWith('.json'),
});
console.log(`copy-examples: ${path.relative(app, from)} -> ${path.relative(app, to)}`);
