// The runner's command line.
import type { BenchOptions } from './types.js';

export interface CliOptions extends BenchOptions {
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

/** Parses the runner's arguments; `known` are the benchmark names `--only` may pick. */
export function parseArgs(argv: readonly string[], known: readonly string[]): CliOptions {
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
  const unknown = options.only.filter((name) => !known.includes(name));
  if (unknown.length > 0)
    throw new Error(`unknown benchmark ${unknown.join(', ')}: expected one of ${known.join(', ')}`);
  return options;
}
