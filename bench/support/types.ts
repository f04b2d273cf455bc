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
  /** CPU time per request, when the benchmark measures it (see CpuPerRequest). */
  cpu?: CpuPerRequest;
  /** Round-by-round figures, latencies, settings: written to results.json. */
  details?: Record<string, unknown>;
}

/**
 * Process CPU time (user + system, all threads, read from /proc) per request or delivery, in
 * microseconds, over the measured rounds. Steadier than req/s on a shared machine: a neighbour's
 * load slows both sides' rates, but barely changes what each request costs.
 */
export interface CpuPerRequest {
  /** Ours (a server: its processing of the round's backlog included; a sender: per delivery). */
  oursUs: number;
  /** The baseline's, measured in the same rounds; absent when it has no process of its own. */
  baselineUs?: number;
  /** When set (with baselineUs), the row also needs oursUs / baselineUs <= target to pass. */
  target?: number;
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
