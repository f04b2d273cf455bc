// `npm run generate` (receiver part): rewrites the configuration table in apps/receiver/README.md
// from src/settings.ts, and the inspector's list of delivery outcomes from src/ReceiverMetrics.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withSettingsTable } from '../src/settingsMarkdown.js';
import { inspectorOutcomesModule, inspectorOutcomesPath } from './inspectorOutcomes.js';

const readmePath = fileURLToPath(new URL('../README.md', import.meta.url));
writeFileSync(readmePath, withSettingsTable(readFileSync(readmePath, 'utf8')));
console.log('wrote apps/receiver/README.md (configuration table)');
writeFileSync(inspectorOutcomesPath, inspectorOutcomesModule());
console.log('wrote apps/receiver/inspector/src/deliveryOutcomes.ts (delivery outcomes)');
