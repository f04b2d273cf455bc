// A one-line progress bar for stderr (drawn only on a TTY), redrawn at most every 100 ms.

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(chunk: string): boolean;
}

export class ProgressBar {
  private lastDraw = 0;
  private readonly started = Date.now();

  constructor(
    private readonly stream: ProgressStream,
    private readonly total: number | undefined,
  ) {}

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  update(state: { done: number; delivered: number; failed: number }, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.stream.write(`\r${renderProgress(state, this.total, now - this.started)}\x1b[K`);
  }

  finish(): void {
    if (this.enabled) this.stream.write('\r\x1b[K');
  }
}

/** The bar's text, e.g. `[########------------] 40/100 ok 39 failed 1 12.0/s`. */
export function renderProgress(
  state: { done: number; delivered: number; failed: number },
  total: number | undefined,
  elapsedMs: number,
  width = 24,
): string {
  const rate = elapsedMs > 0 ? (state.done / elapsedMs) * 1000 : 0;
  const tail = `ok ${state.delivered} failed ${state.failed} ${rate.toFixed(1)}/s`;
  if (total === undefined || total === 0) return `${state.done} done ${tail}`;
  const filled = Math.min(width, Math.round((state.done / total) * width));
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${state.done}/${total} ${tail}`;
}
