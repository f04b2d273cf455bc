// Every mutant that survives `npm run mutation` (the committed incremental reports) has a written
// explanation in reports/mutation/survivors/<group>.json, and no explanation outlives its mutant.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { mutationGroups } from '../../scripts/mutationGroups.mjs';
// @ts-expect-error: a plain .mjs script without type declarations
import { explainSurvivors, mutantKey } from '../../scripts/mutationSurvivors.mjs';

interface Explanation {
  equivalent: unknown;
  why: unknown;
}
interface Survivor {
  file: string;
  line: number;
  column: number;
  mutator: string;
  replacement: string;
  explanation?: Explanation;
}

describe.each(Object.keys(mutationGroups))('surviving mutants of %s', (group) => {
  const { survivors, stale } = explainSurvivors(group) as { survivors: Survivor[]; stale: Survivor[] };

  it('each has an explanation (node scripts/mutationSurvivors.mjs --template lists the missing)', () => {
    const unexplained = survivors.filter((m) => m.explanation === undefined).map(mutantKey);
    expect(unexplained).toEqual([]);
  });

  it('each explanation says whether the mutant is equivalent, and why', () => {
    const vague = survivors
      .filter(
        ({ explanation: e }) =>
          e !== undefined &&
          (typeof e.equivalent !== 'boolean' || typeof e.why !== 'string' || e.why.length < 12),
      )
      .map(mutantKey);
    expect(vague).toEqual([]);
  });

  it('has no explanation for a mutant that no longer survives', () => {
    expect(stale.map(mutantKey)).toEqual([]);
  });
});
