// `npm run generate` (receiver part): rewrites the configuration table in apps/receiver/README.md
// from src/settings.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withSettingsTable } from '../src/settingsMarkdown.js';

const readmePath = fileURLToPath(new URL('../README.md', import.meta.url));
writeFileSync(readmePath, withSettingsTable(readFileSync(readmePath, 'utf8')));
console.log('wrote apps/receiver/README.md (configuration table)');
