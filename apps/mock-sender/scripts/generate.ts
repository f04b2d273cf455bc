// `npm run generate` (mock-sender part): rewrites the options and serve settings reference pages
// in docs/reference/ from the request schemas and the serve settings table.
import { writeFileSync } from 'node:fs';
import {
  optionsPage,
  optionsPageFile,
  serveSettingsPage,
  serveSettingsPageFile,
} from '../src/options/fieldTable.js';

for (const [file, content] of [
  [optionsPageFile, optionsPage()],
  [serveSettingsPageFile, serveSettingsPage()],
] as const) {
  writeFileSync(new URL(`../../../${file}`, import.meta.url), content);
  console.log(`wrote ${file}`);
}
