// `npm run generate` (bench part): rewrites docs/reference/bench-figures.md from the committed
// bench/results.json, without running a benchmark.
import { relative } from 'node:path';
import { ROOT } from './processes.js';
import { FIGURES_FILE, refreshFigures } from './resultsTable.js';

refreshFigures();
console.log(`wrote ${relative(ROOT, FIGURES_FILE)}`);
