// Lines on stderr when retries are scheduled, for runs without a progress bar (CI logs, pipes):
// with the upstream 10/20/40 s schedule a failing receiver would otherwise mean a silent minute.
// At most one line per interval; the ones held back are counted in the next line.
import type { RetryNotice } from '../sending/deliverEvent.js';

export class RetryNotices {
  private lastLine = Number.NEGATIVE_INFINITY;
  private heldBack = 0;

  constructor(
    private readonly write: (line: string) => void,
    private readonly intervalMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  notice(retry: RetryNotice): void {
    const at = this.now();
    if (at - this.lastLine < this.intervalMs) {
      this.heldBack++;
      return;
    }
    this.lastLine = at;
    const more =
      this.heldBack > 0 ? ` (and ${this.heldBack} more retries scheduled since the last line)` : '';
    this.heldBack = 0;
    const seconds = Math.round((retry.attempt.delayMs ?? 0) / 100) / 10;
    this.write(
      `retry ${retry.retry}/${retry.retries} of ${retry.id} in ${seconds} s: got ${retry.attempt.status}` +
        `${retry.attempt.reason === undefined ? '' : ` (${retry.attempt.reason})`}${more}\n`,
    );
  }
}
