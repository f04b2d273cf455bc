// Latency percentiles in constant memory: values land in log-spaced buckets (2% wide), so a run of
// any length costs the same ~1 000 counters and a percentile is off by at most ~1%. Written here
// rather than taken from hdr-histogram-js: that package's entry loads its WebAssembly build and
// pako, about 50 ms of CPU and 16 MiB at the start of every `send` for three numbers that 1% serves.

const GROWTH = 1.02;
const MIN_MS = 0.01;
const BUCKETS = Math.ceil(Math.log(10_000_000 / MIN_MS) / Math.log(GROWTH)) + 1;

export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS);
  private total = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = 0;

  record(ms: number): void {
    const value = Math.max(ms, 0);
    const index =
      value <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(value / MIN_MS) / Math.log(GROWTH)));
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    this.total++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  get count(): number {
    return this.total;
  }

  /** The value at percentile `p` (0–100), in ms; undefined when nothing was recorded. */
  percentile(p: number): number | undefined {
    if (this.total === 0) return undefined;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) {
        // Report the bucket's geometric middle, kept inside what was actually observed.
        const upper = MIN_MS * GROWTH ** i;
        const middle = i === 0 ? upper : upper / Math.sqrt(GROWTH);
        return Math.min(this.max, Math.max(this.min, middle));
      }
    }
    return this.max;
  }
}
