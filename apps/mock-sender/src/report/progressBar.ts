// The one-line progress bar on stderr while a run sends, drawn only on a TTY. cli-progress draws
// it (at most 10 frames a second, cut to the terminal's width, cleared at the end); this module
// says what the line shows. The library is loaded only when a bar is drawn, so `--help` and
// scripted runs (stderr not a TTY) start without it.
import { createRequire } from 'node:module';
import type { SingleBar } from 'cli-progress';

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(chunk: string): boolean;
}

export interface ProgressState {
  done: number;
  delivered: number;
  failed: number;
}

const BAR_WIDTH = 24;
// e.g. `[########----------------] 40/100 ok 39 failed 1 12.0/s`; a count when the total is unknown.
const WITH_TOTAL = '[{bar}] {value}/{total} ok {delivered} failed {failed} {rate}/s';
const WITHOUT_TOTAL = '{value} done ok {delivered} failed {failed} {rate}/s';

export class ProgressBar {
  private readonly bar: SingleBar | undefined;
  private readonly started: number;

  constructor(
    stream: ProgressStream,
    total: number | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
    if (stream.isTTY !== true) return;
    const { SingleBar } = createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress');
    const known = total !== undefined && total > 0;
    this.bar = new SingleBar({
      // cli-progress writes through `write` (and readline's cursor moves, which write too).
      stream: stream as NodeJS.WritableStream,
      format: known ? WITH_TOTAL : WITHOUT_TOTAL,
      barsize: BAR_WIDTH,
      barCompleteChar: '#',
      barIncompleteChar: '-',
      fps: 10,
      clearOnComplete: true,
      hideCursor: false,
    });
    this.bar.start(known ? total : 0, 0, this.payload({ done: 0, delivered: 0, failed: 0 }));
  }

  get enabled(): boolean {
    return this.bar !== undefined;
  }

  update(state: ProgressState, force = false): void {
    if (this.bar === undefined) return;
    this.bar.update(state.done, this.payload(state));
    if (force) this.bar.render();
  }

  finish(): void {
    this.bar?.stop();
  }

  private payload(state: ProgressState): { delivered: number; failed: number; rate: string } {
    const elapsedMs = this.now() - this.started;
    const rate = elapsedMs > 0 ? (state.done / elapsedMs) * 1000 : 0;
    return { delivered: state.delivered, failed: state.failed, rate: rate.toFixed(1) };
  }
}
