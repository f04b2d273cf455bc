// Runs started with `"wait": false`: the caller gets a run id at once and polls GET /runs/:id, so a
// pipeline with a short HTTP timeout can drive a long run. Running entries are bounded by the
// service's run slots; finished ones are kept for polling up to a fixed count, oldest dropped first.
import { randomBytes } from 'node:crypto';

export type RunKind = 'send' | 'check' | 'replay';
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'timed_out' | 'error';
/** How a run that ended by itself went: `timed_out` when SENDER_MAX_RUN_SECONDS stopped it. */
export type RunVerdict = Extract<RunStatus, 'succeeded' | 'failed' | 'timed_out'>;

export interface RunProgress {
  done: number;
  delivered: number;
  failed: number;
}

export interface RunView {
  id: string;
  kind: RunKind;
  status: RunStatus;
  started_at: string;
  finished_at?: string;
  progress: RunProgress;
  /** The send summary or the check report, once finished. */
  result?: unknown;
  /** Why a run could not run (its options were refused once it started, or it crashed). */
  error?: { code: string; message: string };
}

interface Entry extends RunView {
  controller: AbortController;
}

export class RunRegistry {
  private readonly runs = new Map<string, Entry>();

  constructor(private readonly keepFinished = 100) {}

  /**
   * Starts `work` in the background and returns its id; `work` gets a signal (DELETE) and a
   * progress callback; its promise's value is the result, `verdict(result)` how the run went.
   */
  start<T>(
    kind: RunKind,
    work: (signal: AbortSignal, progress: (delivered: boolean) => void) => Promise<T>,
    verdict: (result: T) => RunVerdict,
    describeError: (error: unknown) => { code: string; message: string },
    onSettled: () => void,
  ): RunView {
    const id = `run_${randomBytes(12).toString('base64url')}`;
    const entry: Entry = {
      id,
      kind,
      status: 'running',
      started_at: new Date().toISOString(),
      progress: { done: 0, delivered: 0, failed: 0 },
      controller: new AbortController(),
    };
    this.runs.set(id, entry);
    const progress = (delivered: boolean) => {
      entry.progress.done++;
      if (delivered) entry.progress.delivered++;
      else entry.progress.failed++;
    };
    work(entry.controller.signal, progress)
      .then(
        (result) => {
          entry.result = result;
          entry.status = entry.controller.signal.aborted ? 'cancelled' : verdict(result);
        },
        (error: unknown) => {
          entry.status = 'error';
          entry.error = describeError(error);
        },
      )
      .finally(() => {
        entry.finished_at = new Date().toISOString();
        this.prune();
        onSettled();
      });
    return this.view(entry);
  }

  get(id: string): RunView | undefined {
    const entry = this.runs.get(id);
    return entry === undefined ? undefined : this.view(entry);
  }

  /** Aborts a running run; false when there is no such run. */
  cancel(id: string): boolean {
    const entry = this.runs.get(id);
    if (entry === undefined) return false;
    entry.controller.abort();
    return true;
  }

  private prune(): void {
    const finished = [...this.runs.values()].filter((r) => r.status !== 'running');
    for (const entry of finished.slice(0, Math.max(0, finished.length - this.keepFinished))) {
      this.runs.delete(entry.id);
    }
  }

  private view(entry: Entry): RunView {
    const { controller: _controller, ...view } = entry;
    return { ...view, progress: { ...view.progress } };
  }
}
