// `npm run bench`: runs every benchmark it knows (or those named with --only), prints a table of
// ratios against baselines measured in the same run and writes bench/results.json. Progress goes
// to stderr. To add one, write `async function benchX(opts): Promise<BenchResult | BenchResult[]>`
// in its own file (importing only from support/) and list it in `benchmarks` below. Nothing imports
// this file.
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchForwarding } from './forwarding.js';
import { benchHeapTuning } from './heapTuning.js';
import { benchImportTime } from './importTime.js';
import { benchIngest } from './ingest.js';
import { benchReceiverPostgres } from './receiverPostgres.js';
import { benchSender } from './sender.js';
import { benchStartup } from './startup.js';
import { parseArgs } from './support/args.js';
import { progress } from './support/processes.js';
import { cpuRatio, passes, ratio, table } from './support/report.js';
import { FIGURES_FILE, refreshFigures } from './support/resultsTable.js';
import type { Benchmark, BenchResult } from './support/types.js';
import { benchVerify } from './verify.js';
import { benchVerifyV1a } from './verifyV1a.js';

const benchmarks: Benchmark[] = [
  { name: 'ingest', run: benchIngest },
  { name: 'heap-tuning', run: benchHeapTuning },
  { name: 'verify', run: benchVerify },
  { name: 'verify-v1a', run: benchVerifyV1a },
  { name: 'sender', run: benchSender },
  { name: 'receiver-postgres', run: benchReceiverPostgres },
  { name: 'schema-import', run: benchImportTime },
  { name: 'forwarding', run: benchForwarding },
  { name: 'startup', run: benchStartup },
];

async function main(): Promise<void> {
  const { only, out, ...options } = parseArgs(
    process.argv.slice(2),
    benchmarks.map((b) => b.name),
  );
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
    results: results.map((r) => ({ ...r, ratio: ratio(r), cpuRatio: cpuRatio(r), pass: passes(r) })),
  };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${file}`);
  // Only a full run of everything is the project's figure; scratch and partial runs stay out.
  if (out === undefined && only.length === 0 && options.quick !== true) {
    refreshFigures();
    console.log(`updated the figures in ${FIGURES_FILE}`);
  }
  // Missing a target is reported, not fatal: throughput on a shared machine is noisy, and a flaky
  // exit code would teach people to ignore it.
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
