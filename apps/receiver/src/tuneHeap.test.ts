import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tuneHeap, youngGenerationBytes } from './tuneHeap.js';

// Allocates ~400 MB of short-lived objects in small turns of the event loop while a few survive
// each scavenge (as in-flight requests do), in a fresh process, and prints the young generation's
// size before and after.
function youngGenerationGrowth(tune: boolean): { before: number; after: number } {
  const module = fileURLToPath(new URL('./tuneHeap.ts', import.meta.url));
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    const { tuneHeap } = await import(${JSON.stringify(module)});
    const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    const before = newSpace();
    if (${tune}) tuneHeap(true);
    const kept = [];
    for (let turn = 0; turn < 200; turn++) {
      for (let i = 0; i < 2e4; i++) {
        const o = { i, s: 'x' + (i % 997), a: [i, i] };
        kept.push(o);
        if (kept.length > 20000) kept.splice(0, 10000);
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    console.log(JSON.stringify({ before, after: newSpace() }));
  `;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  return JSON.parse(out) as { before: number; after: number };
}

describe('tuneHeap', () => {
  it('is skipped when the heapTuning setting is off', () => {
    expect(tuneHeap(false)).toBe(false);
  });

  it('lets the young generation grow to its held size and no further, where it grows past it without', () => {
    const untuned = youngGenerationGrowth(false);
    expect(untuned.before).toBeLessThan(youngGenerationBytes);
    expect(untuned.after).toBeGreaterThan(youngGenerationBytes);
    const tuned = youngGenerationGrowth(true);
    expect(tuned.before).toBeLessThan(youngGenerationBytes);
    expect(tuned.after).toBe(youngGenerationBytes);
  }, 60_000); // two child processes allocating ~400 MB each: slow on a loaded machine
});
