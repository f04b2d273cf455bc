import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inspectorOutcomesModule, inspectorOutcomesPath } from '../scripts/inspectorOutcomes.js';
import { deliveryOutcomes } from '../src/ReceiverMetrics.js';

describe("the inspector's list of delivery outcomes", () => {
  it('is the one generated from deliveryOutcomes', () => {
    const stale = readFileSync(inspectorOutcomesPath, 'utf8') !== inspectorOutcomesModule();
    expect(stale, 'apps/receiver/inspector/src/deliveryOutcomes.ts is stale: run `npm run generate`').toBe(
      false,
    );
  });

  it('lists each outcome once, in the order of the source', () => {
    const text = inspectorOutcomesModule(['accepted', 'overloaded']);
    expect(text).toContain(
      "export const deliveryOutcomes: readonly string[] = [\n  'accepted',\n  'overloaded',\n];\n",
    );
    expect(new Set(deliveryOutcomes).size).toBe(deliveryOutcomes.length);
  });

  it('refuses a value that is not a snake_case name (it is written into TypeScript source)', () => {
    expect(() => inspectorOutcomesModule(["it's"])).toThrow(/"it's" is not a snake_case label value/);
  });
});
