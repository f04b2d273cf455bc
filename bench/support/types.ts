// What a benchmark returns and takes. A leaf module: the runner, the benchmarks and the report
// formatting all import it, and it imports nothing.

export interface BenchResult {
  name: string;
  /** Our figure (throughput, or a size for memory). */
  ours: number;
  /** The baseline measured in the same run, or the limit for a `lower` figure. */
  baseline: number;
  unit: string;
  /**
   * `higher`: pass when ours / baseline >= target (throughput against a baseline).
   * `lower`: pass when ours / baseline <= target (a figure against a limit).
   */
  better: 'higher' | 'lower';
  target: number;
  /** Round-by-round figures, latencies, settings: written to results.json. */
  details?: Record<string, unknown>;
}

export interface BenchOptions {
  /** A short run (a few seconds per side) for smoke tests; figures are rougher. */
  quick?: boolean;
  /** Measuring time per side per round, in seconds (each benchmark has its own default). */
  seconds?: number;
  /** Alternating rounds per side (default 3, or 2 with quick). */
  rounds?: number;
  /** ingest only: write a V8 CPU profile of the receiver into this folder. */
  cpuProfDir?: string;
}

export interface Benchmark {
  name: string;
  run: (opts: BenchOptions) => Promise<BenchResult | BenchResult[]>;
}
