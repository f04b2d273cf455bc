// `npm run generate` (receiver part): rewrites the settings reference page from src/settings.ts,
// and the inspector's list of delivery outcomes from src/ReceiverMetrics.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { settingsPage, settingsPageFile } from '../src/settingsMarkdown.js';
import { inspectorOutcomesModule, inspectorOutcomesPath } from './inspectorOutcomes.js';

writeFileSync(fileURLToPath(new URL(`../../../${settingsPageFile}`, import.meta.url)), settingsPage());
console.log(`wrote ${settingsPageFile} (settings)`);
// A source file is rewritten only when its content changes, so the inspector's build stays fresh.
const outcomes = inspectorOutcomesModule();
if (readFileSync(inspectorOutcomesPath, 'utf8') !== outcomes) {
  writeFileSync(inspectorOutcomesPath, outcomes);
  console.log('wrote apps/receiver/inspector/src/deliveryOutcomes.ts (delivery outcomes)');
}
