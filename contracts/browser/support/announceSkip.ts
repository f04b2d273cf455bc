// Runs once in the main vitest process: when there is no Chromium the browser tests register as
// skipped, and this one line says why (a line printed from a test file would be repeated per file).
import { existsSync } from 'node:fs';
import { chromiumPath, SKIP_MESSAGE } from './chromium.js';

export default function announceSkip(): void {
  if (!existsSync(chromiumPath)) console.log(SKIP_MESSAGE);
}
