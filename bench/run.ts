// `npm run bench`: runs every benchmark it knows (or those named with --only), prints a table and
// writes bench/results.json. To add one, write `async function benchX(opts): Promise<BenchResult>`
// in its own file and list it in `benchmarks` below.
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchVerify } from './verify.js';

export interface BenchResult {
  name: string;
  /** Our throughput. */
  ours: number;
  /** The baseline's throughput, measured in the same run. */
  baseline: number;
  unit: string;
  /** ours / baseline (higher is better). */
  ratio: number;
  /** The ratio we aim for. */
  target: number;
}

export interface BenchOptions {
  /** Measuring time per benchmark, in seconds (each benchmark splits it as it sees fit). */
  seconds?: number;
}

export interface Benchmark {
  name: string;
  run: (opts: BenchOptions) => Promise<BenchResult>;
}

export const benchmarks: Benchmark[] = [{ name: 'verify', run: benchVerify }];

interface CliOptions {
  only: string[];
  seconds?: number;
}

function parseArgs(argv: string[]): CliOptions {
  const options: CliOptions = { only: [] };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === '--') continue;
    if (arg === '--only' && value !== undefined) {
      options.only.push(...value.split(','));
      i += 1;
    } else if (arg === '--seconds' && value !== undefined) {
      const seconds = Number(value);
      if (!Number.isFinite(seconds) || seconds <= 0)
        throw new Error(`--seconds must be a positive number, got ${value}`);
      options.seconds = seconds;
      i += 1;
    } else {
      throw new Error(`unknown argument ${arg}: usage: run.ts [--only NAME[,NAME]] [--seconds N]`);
    }
  }
  const known = benchmarks.map((b) => b.name);
  const unknown = options.only.filter((name) => !known.includes(name));
  if (unknown.length > 0)
    throw new Error(`unknown benchmark ${unknown.join(', ')}: expected one of ${known.join(', ')}`);
  return options;
}

function table(results: BenchResult[]): string {
  const rows = [
    ['name', 'ours', 'baseline', 'ratio', 'target', 'pass'],
    ...results.map((r) => [
      r.name,
      `${r.ours.toLocaleString('en-US')} ${r.unit}`,
      `${r.baseline.toLocaleString('en-US')} ${r.unit}`,
      `${r.ratio.toFixed(2)}x`,
      `${r.target}x`,
      r.ratio >= r.target ? 'yes' : 'NO',
    ]),
  ];
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  return rows.map((row) => row.map((cell, col) => cell.padEnd(widths[col]!)).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const selected = benchmarks.filter((b) => options.only.length === 0 || options.only.includes(b.name));
  const results: BenchResult[] = [];
  for (const bench of selected) {
    console.log(`running ${bench.name}…`);
    results.push(await bench.run(options.seconds === undefined ? {} : { seconds: options.seconds }));
  }
  console.log(`\n${table(results)}`);
  const file = fileURLToPath(new URL('./results.json', import.meta.url));
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    results: results.map((r) => ({ ...r, pass: r.ratio >= r.target })),
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
