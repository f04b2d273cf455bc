// What keeps the receiver's memory under its limit, and at what CPU: three built receivers (SQLite,
// as in `ingest`) under the same signed load, in rotating rounds of one run:
// - `on`: RECEIVER_HEAP_TUNING=on (the default), 32 connections;
// - `off`: V8's default heap sizing, 32 connections;
// - `off, 8 in flight`: V8's default heap sizing, the load bounded to 8 requests in flight.
// Each gets its own process, so each peak RSS (VmHWM) is its own. Comparing `on` with `off` gives the
// tuning's CPU cost; comparing `off, 8 in flight` with the limit tells whether bounding the work in
// flight would keep memory down without it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_SECRET, RECEIVER_MAIN } from './support/fixtures.js';
import { type LoadResult, runLoad } from './support/load.js';
import {
  freePort,
  measureCpu,
  median,
  peakRssMb,
  progress,
  type Spawned,
  spawnNode,
  stop,
  waitForHttp,
  waitSettled,
} from './support/processes.js';
import type { BenchOptions, BenchResult } from './support/types.js';

const RSS_LIMIT_MB = 150;

interface Side {
  label: string;
  heapTuning: 'on' | 'off';
  connections: number;
  proc?: Spawned;
  url?: string;
  results: LoadResult[];
  cpuUs: number[];
}

export async function benchHeapTuning(opts: BenchOptions = {}): Promise<BenchResult[]> {
  const seconds = opts.seconds ?? (opts.quick ? 3 : 10);
  const rounds = opts.rounds ?? (opts.quick ? 2 : 3);
  const dir = mkdtempSync(join(tmpdir(), 'bench-heap-'));
  const sides: Side[] = [
    { label: 'heap tuning on, 32 in flight', heapTuning: 'on', connections: 32, results: [], cpuUs: [] },
    { label: 'heap tuning off, 32 in flight', heapTuning: 'off', connections: 32, results: [], cpuUs: [] },
    { label: 'heap tuning off, 8 in flight', heapTuning: 'off', connections: 8, results: [], cpuUs: [] },
  ];
  try {
    for (const [i, side] of sides.entries()) {
      const port = await freePort();
      side.url = `http://127.0.0.1:${port}`;
      side.proc = spawnNode(RECEIVER_MAIN, [], {
        WEBHOOK_SECRET: BENCH_SECRET,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: `sqlite:${join(dir, `receiver-${i}.sqlite`)}`,
        LOG_LEVEL: 'warn',
        RECEIVER_HEAP_TUNING: side.heapTuning,
      });
    }
    const procs = sides.map((s) => s.proc!);
    await Promise.all(sides.map((s) => waitForHttp(`${s.url}/healthz`, s.proc!)));
    progress(`heap-tuning: warm-up 2s per receiver`);
    for (const side of sides)
      await runLoad(`${side.url}/webhooks`, Math.min(2, seconds), side.connections, true);
    for (let round = 0; round < rounds; round += 1) {
      // Rotate who goes first, so no side always follows the same neighbour.
      const order = sides.map((_, i) => sides[(i + round) % sides.length]!);
      for (const side of order) {
        // Its round ends once it has settled every delivery it accepted (see ingest.ts).
        const { result, cpuUs } = await measureCpu(procs, async () => {
          const load = await runLoad(`${side.url}/webhooks`, seconds, side.connections, true);
          await waitSettled(side.url!);
          return load;
        });
        if (result.non2xx > 0 || result.errors > 0)
          throw new Error(
            `bench: ${side.label} answered ${result.non2xx} non-2xx and ${result.errors} errors: the run is not valid`,
          );
        const perRequest = cpuUs[sides.indexOf(side)]! / result.ok;
        side.results.push(result);
        side.cpuUs.push(perRequest);
        progress(
          `heap-tuning round ${round + 1}/${rounds} ${side.label}: ${Math.round(result.rps)} req/s, ${Math.round(perRequest)} µs CPU/request`,
        );
      }
    }
    const tunedCpu = median(sides[0]!.cpuUs);
    return sides.map((side, i) => ({
      name: `peak RSS, ${side.label}`,
      ours: Math.round(peakRssMb(side.proc!.pid)),
      baseline: RSS_LIMIT_MB,
      unit: 'MB',
      target: 1,
      better: 'lower' as const,
      // Each side's CPU per request against the default configuration's (heap tuning on).
      cpu:
        i === 0
          ? { oursUs: Math.round(tunedCpu) }
          : { oursUs: Math.round(median(side.cpuUs)), baselineUs: Math.round(tunedCpu) },
      details: {
        heapTuning: side.heapTuning,
        connections: side.connections,
        secondsPerRound: seconds,
        rounds: side.results.map((r) => Math.round(r.rps)),
        cpuUsPerRequestRounds: side.cpuUs.map((us) => Math.round(us)),
      },
    }));
  } finally {
    await Promise.all(sides.map((s) => (s.proc === undefined ? undefined : stop(s.proc))));
    rmSync(dir, { recursive: true, force: true });
  }
}
