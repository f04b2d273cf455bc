// docs/reference/mutation-scores.md is generated (by `npm run generate` and `npm run mutation`)
// from the committed incremental reports (reports/mutation/incremental-<group>.json) and run times
// (reports/mutation/runs.json); this keeps them from drifting apart when either is edited by hand.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { groupFigures, mutationPage, mutationPageFile } from '../../scripts/mutationTable.mjs';

const root = join(import.meta.dirname, '../..');

describe('docs/reference/mutation-scores.md', () => {
  it('shows what the incremental reports and runs.json hold', () => {
    const page = readFileSync(join(root, mutationPageFile), 'utf8');
    expect(
      page === mutationPage(groupFigures(root)),
      `${mutationPageFile} is stale: run \`npm run generate\``,
    ).toBe(true);
  });

  it('has a row per group with its score', () => {
    const page = mutationPage(groupFigures(root)) as string;
    expect(page).toMatch(
      /^\| `webhooks` +\| `packages\/webhooks\/src\/\*\*\/\*\.ts` +\| \*\*\d+\.\d %\*\* +\|/m,
    );
  });
});
