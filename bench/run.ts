// `npm run bench`: runs every benchmark it knows (or those named with --only), prints a table of
// ratios against baselines measured in the same run and writes bench/results.json. Progress goes
// to stderr. To add one, write `async function benchX(opts): Promise<BenchResult | BenchResult[]>`
// in its own file and list it in `benchmarks` below.
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchImportTime } from './importTime.js';
import { benchIngest } from './ingest.js';
import { progress } from './processes.js';
import { benchReceiverPostgres } from './receiverPostgres.js';
import { benchSender } from './sender.js';
import { benchVerify } from './verify.js';

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

export const benchmarks: Benchmark[] = [
  { name: 'ingest', run: benchIngest },
  { name: 'verify', run: benchVerify },
  { name: 'sender', run: benchSender },
  { name: 'receiver-postgres', run: benchReceiverPostgres },
  { name: 'schema-import', run: benchImportTime },
];

interface CliOptions extends BenchOptions {
  only: string[];
  /** Where results.json goes; default bench/results.json. */
  out?: string;
}

const usage =
  'usage: run.ts [--quick] [--only NAME[,NAME]] [--seconds N] [--rounds N] [--cpu-prof DIR] [--out FILE]';

function positive(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} must be a positive number, got ${value}`);
  return n;
}

export function parseArgs(argv: readonly string[]): CliOptions {
  const options: CliOptions = { only: [] };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === '--') continue;
    if (arg === '--quick') {
      options.quick = true;
    } else if (arg === '--only' && value !== undefined) {
      options.only.push(...value.split(','));
      i += 1;
    } else if (arg === '--seconds' && value !== undefined) {
      options.seconds = positive(arg, value);
      i += 1;
    } else if (arg === '--rounds' && value !== undefined) {
      options.rounds = Math.round(positive(arg, value));
      i += 1;
    } else if (arg === '--cpu-prof' && value !== undefined) {
      options.cpuProfDir = value;
      i += 1;
    } else if (arg === '--out' && value !== undefined) {
      options.out = value;
      i += 1;
    } else {
      throw new Error(`unknown argument ${arg}: ${usage}`);
    }
  }
  const known = benchmarks.map((b) => b.name);
  const unknown = options.only.filter((name) => !known.includes(name));
  if (unknown.length > 0)
    throw new Error(`unknown benchmark ${unknown.join(', ')}: expected one of ${known.join(', ')}`);
  return options;
}

export function ratio(r: BenchResult): number {
  return Math.round((r.ours / r.baseline) * 100) / 100;
}

export function passes(r: BenchResult): boolean {
  return r.better === 'higher' ? ratio(r) >= r.target : ratio(r) <= r.target;
}

export function table(results: readonly BenchResult[]): string {
  const rows = [
    ['name', 'ours', 'baseline / limit', 'ratio', 'target', 'pass'],
    ...results.map((r) => [
      r.name,
      `${r.ours.toLocaleString('en-US')} ${r.unit}`,
      `${r.baseline.toLocaleString('en-US')} ${r.unit}`,
      `${ratio(r).toFixed(2)}x`,
      `${r.better === 'higher' ? '>=' : '<='} ${r.target}x`,
      passes(r) ? 'yes' : 'NO',
    ]),
  ];
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  return rows.map((row) => row.map((cell, col) => cell.padEnd(widths[col]!)).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const { only, out, ...options } = parseArgs(process.argv.slice(2));
  const selected = benchmarks.filter((b) => only.length === 0 || only.includes(b.name));
  const results: BenchResult[] = [];
  for (const bench of selected) {
    progress(`running ${bench.name}${options.quick ? ' (quick)' : ''}…`);
    const result = await bench.run(options);
    results.push(...(Array.isArray(result) ? result : [result]));
  }
  console.log(`\n${table(results)}`);
  const file = out ?? fileURLToPath(new URL('./results.json', import.meta.url));
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    quick: options.quick === true,
    results: results.map((r) => ({ ...r, ratio: ratio(r), pass: passes(r) })),
  };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${file}`);
  // Missing a target is reported, not fatal: throughput on a shared machine is noisy, and a flaky
  // exit code would teach people to ignore it.
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
