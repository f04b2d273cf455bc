// SENDER_MAX_RUN_SECONDS: a run that reaches it is aborted like a cancelled one, and its result
// (what was done by then) says it was stopped.

/** What a run reports when SENDER_MAX_RUN_SECONDS stopped it. */
export interface RunStopped {
  code: 'run_time_limit';
  message: string;
}

/** A run's work: it stops when `signal` aborts and reports each delivery to `progress`. */
export type RunWork = (signal: AbortSignal, progress: (delivered: boolean) => void) => Promise<unknown>;

/**
 * `work` bounded by `maxRunSeconds`; past it the result gains `stopped` (a run its own signal
 * cancelled first is not marked).
 *
 * @example
 * const result = await timeLimited(work, 3600)(signal, () => {});
 * if (stoppedOf(result)) console.log('stopped at the limit');
 */
export function timeLimited(work: RunWork, maxRunSeconds: number): RunWork {
  return async (signal, progress) => {
    const limit = new AbortController();
    const timer = setTimeout(() => limit.abort(), maxRunSeconds * 1000);
    try {
      const result = await work(AbortSignal.any([signal, limit.signal]), progress);
      if (!limit.signal.aborted || signal.aborted) return result;
      const stopped: RunStopped = {
        code: 'run_time_limit',
        message: `stopped at SENDER_MAX_RUN_SECONDS (${maxRunSeconds} s); the counts are what was done by then: split the run or ask the operator to raise the setting`,
      };
      return { ...(result as object), stopped };
    } finally {
      clearTimeout(timer);
    }
  };
}

/**
 * The `stopped` mark of a run's result, if the time limit stopped it.
 *
 * @example
 * stoppedOf({ sent: 3, stopped: { code: 'run_time_limit', message: '…' } })?.code; // 'run_time_limit'
 */
export function stoppedOf(result: unknown): RunStopped | undefined {
  return typeof result === 'object' && result !== null
    ? (result as { stopped?: RunStopped }).stopped
    : undefined;
}
