// Keeps the receiver's V8 heap small under sustained load. V8 fixes `--max-semi-space-size` when
// the process starts, but it reads two heap-sizing flags each time it resizes, so they can still be
// set from inside the process once start-up is done:
// - `--semi-space-growth-factor=1`: the young generation keeps the size start-up gave it (8 MB
//   semi-spaces here) instead of doubling to 16 MB each under a high allocation rate;
// - `--heap-growing-percent=100`: after a full GC the old generation may grow to twice the live
//   size before the next one, where V8 otherwise allows up to four times under load, which mostly
//   holds garbage promoted from in-flight requests.
// The `heap-tuning` benchmark (bench/heapTuning.ts) measures both effects in one run: peak RSS with
// and without the flags, and the CPU per request they cost.
import { setFlagsFromString } from 'node:v8';

/**
 * Applies the heap-sizing flags above when `enabled` (the `heapTuning` setting,
 * RECEIVER_HEAP_TUNING). Call once start-up is done (modules loaded, store open), because the
 * young generation keeps the size it has then. Returns whether the flags were set.
 */
export function tuneHeap(enabled: boolean): boolean {
  if (!enabled) return false;
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--heap-growing-percent=100');
  return true;
}
