// Test helper: V8's full garbage collection (reached without starting the process with
// --expose-gc), to check that a module lets go of what it no longer needs.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Collects garbage over a few turns of the event loop, until every target is gone or the turns run
 * out, and resolves with how many targets are still held.
 */
export async function stillHeldAfterGc(refs: readonly WeakRef<object>[]): Promise<number> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const held = () => refs.filter((ref) => ref.deref() !== undefined).length;
  for (let turn = 0; turn < 10 && held() > 0; turn++) {
    // A WeakRef's target lives at least until the job that made or read it ends.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  return held();
}
