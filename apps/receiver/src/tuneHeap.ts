// Keeps the receiver's V8 heap small under sustained load, without paying for it in GC time. V8
// fixes `--max-semi-space-size` (16 MB here) when the process starts, but it reads two heap-sizing
// flags each time it resizes, so they can still be set from inside the process:
// - `--heap-growing-percent=100`: after a full GC the old generation may grow to twice the live
//   size before the next one, where V8 otherwise allows up to four times under load, which mostly
//   holds garbage promoted from in-flight requests;
// - `--semi-space-growth-factor=1` once the young generation has grown to two 8 MB semi-spaces (a
//   fresh process starts at 1 MB in all): it is held there instead of doubling to 16 MB each. Held
//   at its start-up size instead, a scavenge runs every few dozen requests while the requests in
//   flight are still alive, so their objects are copied, promoted and left to full GCs: more GC
//   time and a larger old generation than the 16 MB it saves.
// The `heap-tuning` benchmark (bench/heapTuning.ts) measures the effects in one run: peak RSS with
// and without the flags, and the CPU per request they cost.

import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** The young generation's size the tuning holds: two 8 MB semi-spaces (V8's `new_space`). */
export const youngGenerationBytes = 16 * 1024 * 1024;

function youngGenerationSize(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}

/**
 * Lets the young generation grow as V8 decides (doubling) until it reaches `target` bytes, then
 * holds it there. Looked at after each GC (never while idle), until held.
 */
function holdYoungGeneration(target: number): void {
  const reached = () => youngGenerationSize() >= target;
  const hold = () => setFlagsFromString('--semi-space-growth-factor=1');
  if (reached()) {
    hold();
    return;
  }
  const observer = new PerformanceObserver(() => {
    if (!reached()) return;
    hold();
    observer.disconnect();
  });
  observer.observe({ entryTypes: ['gc'] });
}

/**
 * Applies the heap-sizing flags above when `enabled` (the `heapTuning` setting,
 * RECEIVER_HEAP_TUNING). Call once start-up is done (modules loaded, store open). Returns whether
 * the flags were set.
 */
export function tuneHeap(enabled: boolean): boolean {
  if (!enabled) return false;
  setFlagsFromString('--heap-growing-percent=100');
  holdYoungGeneration(youngGenerationBytes);
  return true;
}
