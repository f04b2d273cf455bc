import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ProgressBar, type ProgressStream } from './progressBar.js';

/** A terminal that keeps what is written to it; `screen` is the line as the terminal shows it. */
function terminal(isTTY: boolean): ProgressStream & { written: string; screen(): string } {
  return {
    isTTY,
    columns: 120,
    written: '',
    write(chunk: string) {
      this.written += chunk;
      return true;
    },
    // The last frame: what follows the last move to column 1, without control sequences.
    screen() {
      return stripVTControlCharacters(this.written.split('\u001b[1G').at(-1) ?? '');
    },
  };
}

describe('ProgressBar', () => {
  it('draws a bar proportional to the work done, with the counts and the rate', () => {
    const stream = terminal(true);
    let now = 1_000;
    const bar = new ProgressBar(stream, 100, () => now);
    now += 2_000;
    bar.update({ done: 50, delivered: 49, failed: 1 }, true);
    expect(stream.screen()).toBe('[############------------] 50/100 ok 49 failed 1 25.0/s');
    bar.finish();
  });

  it('shows a count when the total is unknown', () => {
    const stream = terminal(true);
    let now = 0;
    const bar = new ProgressBar(stream, undefined, () => now);
    now += 1_000;
    bar.update({ done: 3, delivered: 3, failed: 0 }, true);
    expect(stream.screen()).toBe('3 done ok 3 failed 0 3.0/s');
    bar.finish();
  });

  it('clears its line when the run ends', () => {
    const stream = terminal(true);
    const bar = new ProgressBar(stream, 10);
    bar.update({ done: 10, delivered: 10, failed: 0 }, true);
    bar.finish();
    expect(stream.screen()).toBe('');
  });

  it('writes nothing when the stream is not a terminal', () => {
    const stream = terminal(false);
    const bar = new ProgressBar(stream, 10);
    expect(bar.enabled).toBe(false);
    bar.update({ done: 5, delivered: 5, failed: 0 }, true);
    bar.finish();
    expect(stream.written).toBe('');
  });
});
