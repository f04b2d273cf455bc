import { Clipped, formatTime, StatusBadge } from '@webhook-contracts/inspector-kit';
import type { ComponentChildren } from 'preact';
import type { Run } from './api.ts';

/** A background run's state: status, progress, and its result below (children). */
export function RunPanel({
  run,
  error,
  children,
}: {
  run: Run | null;
  error: string | null;
  children?: ComponentChildren;
}) {
  if (error !== null) {
    return (
      <p class="error run" role="alert">
        <Clipped text={error} limit={300} />
      </p>
    );
  }
  if (run === null) return null;
  return (
    <div class="run" data-testid="run" data-status={run.status}>
      <div class="run-head">
        <strong>
          {run.kind === 'send' ? 'Send' : 'Check'} run <span class="mono">{run.id}</span>
        </strong>
        <StatusBadge status={run.status} />
        <span class="muted small">
          started {formatTime(run.started_at)}
          {run.finished_at !== undefined ? ` · finished ${formatTime(run.finished_at)}` : ''}
        </span>
      </div>
      {run.kind === 'send' && (
        <p class="muted">
          {run.progress.done} done · {run.progress.delivered} delivered · {run.progress.failed} failed
        </p>
      )}
      {run.error !== undefined && (
        <p class="error">
          <Clipped text={run.error.message} limit={300} /> ({run.error.code})
        </p>
      )}
      {children}
    </div>
  );
}
