// `npm run generate` (receiver part): rewrites the settings reference page from src/settings.ts,
// and the inspector's list of delivery outcomes from src/ReceiverMetrics.ts.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { settingsPage, settingsPageFile } from '../src/settingsMarkdown.js';
import { inspectorOutcomesModule, inspectorOutcomesPath } from './inspectorOutcomes.js';

writeFileSync(fileURLToPath(new URL(`../../../${settingsPageFile}`, import.meta.url)), settingsPage());
console.log(`wrote ${settingsPageFile} (settings)`);
writeFileSync(inspectorOutcomesPath, inspectorOutcomesModule());
console.log('wrote apps/receiver/inspector/src/deliveryOutcomes.ts (delivery outcomes)');
