// The mutation-score table in contracts/README.md is generated from reports/mutation/scores.json by
// `npm run mutation`; this keeps the two from drifting apart when either is edited by hand.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { replaceMutationTable } from '../../scripts/mutationTable.mjs';

const root = join(import.meta.dirname, '../..');

describe('contracts/README.md mutation table', () => {
  it('shows what reports/mutation/scores.json records', () => {
    const readme = readFileSync(join(root, 'contracts/README.md'), 'utf8');
    const scores = JSON.parse(readFileSync(join(root, 'reports/mutation/scores.json'), 'utf8'));
    expect(readme).toBe(replaceMutationTable(readme, scores));
  });
});
