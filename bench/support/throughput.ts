// In-process throughput comparison: two functions timed (in CPU time) in interleaved rounds, so drift (turbo
// clocks, GC, a noisy neighbour) hits both sides alike.
import { median } from './processes.js';

export interface ThroughputOptions {
  /** Total measuring time over both sides, warm-up excluded. Default 6. */
  seconds?: number;
  /** Interleaved rounds per side. Default 5. */
  rounds?: number;
}

/** This process's CPU time (every thread: user + system), in milliseconds. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Runs `fn` for about `ms` milliseconds of this process's CPU time; returns operations per CPU
 * second. CPU time, not wall time: on a shared machine a time slice given to a neighbour is not
 * counted against the side that happened to be running (both sides run in this one process).
 */
export function opsPerSecond(fn: () => unknown, ms: number): number {
  const batch = 200;
  const start = cpuMs();
  const deadline = start + ms;
  let ops = 0;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < batch; i += 1) fn();
    ops += batch;
    now = cpuMs();
  }
  return (ops * 1000) / (now - start);
}

/**
 * A warm-up of each side, then `rounds` alternating rounds (the side that goes first alternates
 * too); returns the medians.
 */
export function compareThroughput(
  ours: () => unknown,
  baseline: () => unknown,
  { seconds = 6, rounds = 5 }: ThroughputOptions = {},
): { ours: number; baseline: number } {
  const roundMs = (seconds * 1000) / (2 * rounds);
  opsPerSecond(ours, Math.min(500, roundMs));
  opsPerSecond(baseline, Math.min(500, roundMs));
  const a: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    if (round % 2 === 0) {
      a.push(opsPerSecond(ours, roundMs));
      b.push(opsPerSecond(baseline, roundMs));
    } else {
      b.push(opsPerSecond(baseline, roundMs));
      a.push(opsPerSecond(ours, roundMs));
    }
  }
  return { ours: median(a), baseline: median(b) };
}
