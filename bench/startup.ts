// Start-up of the two command-line programs, run as a user runs them (the built `bin/` files, a
// fresh process each time): `mock-sender --help`, `webhook-receiver --help` and
// `mock-sender send --generate 1` to a null sink, each against a fixed limit (wall time, and the
// send's peak RSS). `node -e 0` runs in the same rounds, for context: what Node alone costs here.
// Each process reports its peak RSS and CPU time as it exits (servers/reportPeakRss.cjs). The
// receiver's start-to-listening time (SQLite, to its "listening" log line) is measured beside them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_SECRET } from './support/fixtures.js';
import {
  freePort,
  median,
  progress,
  ROOT,
  type Spawned,
  spawnNode,
  stop,
  waitForHttp,
} from './support/processes.js';
import type { BenchOptions, BenchResult } from './support/types.js';

const SENDER_BIN = join(ROOT, 'apps/mock-sender/bin/mock-sender.js');
const RECEIVER_BIN = join(ROOT, 'apps/receiver/bin/webhook-receiver.js');
const EXIT_USAGE_HOOK = join(ROOT, 'bench/servers/reportPeakRss.cjs');

/** One run of a short-lived program: wall time from spawn to exit, its peak RSS and CPU time. */
interface ExitRun {
  wallMs: number;
  peakRssMb: number;
  cpuMs: number;
}

async function timeRun(file: string, args: readonly string[]): Promise<ExitRun> {
  const started = performance.now();
  const proc = spawnNode(file, args, {}, ['--require', EXIT_USAGE_HOOK]);
  const code = await proc.exited;
  const wallMs = performance.now() - started;
  if (code !== 0) throw new Error(`bench: ${[file, ...args].join(' ')} exited ${code}:\n${proc.stderr()}`);
  const rss = /bench-peak-rss-kb=(\d+)/.exec(proc.stderr());
  const cpu = /bench-exit-cpu-us=(\d+)/.exec(proc.stderr());
  if (rss === null || cpu === null) throw new Error(`bench: ${file} did not report its peak RSS and CPU`);
  return { wallMs, peakRssMb: Number(rss[1]) / 1024, cpuMs: Number(cpu[1]) / 1000 };
}

interface Case {
  label: string;
  file: string;
  args: readonly string[];
}

/** Medians of a case's runs, rounded for the table. */
function medians(runs: readonly ExitRun[]) {
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    wallMs: round(median(runs.map((r) => r.wallMs))),
    cpuMs: round(median(runs.map((r) => r.cpuMs))),
    peakRssMb: round(median(runs.map((r) => r.peakRssMb))),
  };
}

/** Time from spawning the receiver (SQLite) to its "listening" log line, in ms. */
async function receiverListenMs(dir: string, round: number): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const receiver: Spawned = spawnNode(RECEIVER_BIN, [], {
    WEBHOOK_SECRET: BENCH_SECRET,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${join(dir, `receiver-${round}.sqlite`)}`,
    LOG_LEVEL: 'info',
  });
  try {
    const deadline = Date.now() + 60_000;
    while (!receiver.stdout().includes('webhook receiver listening')) {
      if (receiver.child.exitCode !== null || Date.now() > deadline)
        throw new Error(`bench: the receiver did not start:\n${receiver.stderr()}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    return performance.now() - started;
  } finally {
    await stop(receiver);
  }
}

export async function benchStartup(opts: BenchOptions = {}): Promise<BenchResult[]> {
  const rounds = opts.rounds ?? (opts.quick ? 5 : 15);
  const sinkPort = await freePort();
  const sink = spawnNode(join(ROOT, 'bench/servers/nullSink.ts'), [String(sinkPort)]);
  const sinkUrl = `http://127.0.0.1:${sinkPort}/`;
  const dir = mkdtempSync(join(tmpdir(), 'bench-startup-'));
  const cases: Case[] = [
    { label: 'node -e 0', file: '-e', args: ['0'] },
    { label: 'mock-sender --help', file: SENDER_BIN, args: ['--help'] },
    { label: 'mock-sender send --help', file: SENDER_BIN, args: ['send', '--help'] },
    { label: 'webhook-receiver --help', file: RECEIVER_BIN, args: ['--help'] },
    {
      label: 'send --generate 1',
      file: SENDER_BIN,
      args: ['send', '--to', sinkUrl, '--secret', BENCH_SECRET, '--generate', '1', '--json', '--no-progress'],
    },
  ];
  const runs = new Map<string, ExitRun[]>(cases.map((c) => [c.label, []]));
  const listenMs: number[] = [];
  try {
    await waitForHttp(sinkUrl, sink);
    for (let round = 0; round < rounds; round += 1) {
      // Rotated each round, so no case always follows another (a warm file cache, a busy neighbour).
      for (let i = 0; i < cases.length; i += 1) {
        const c = cases[(round + i) % cases.length]!;
        runs.get(c.label)?.push(await timeRun(c.file, c.args));
      }
      listenMs.push(await receiverListenMs(dir, round));
      progress(`startup round ${round + 1}/${rounds}`);
    }
  } finally {
    await stop(sink);
    rmSync(dir, { recursive: true, force: true });
  }
  const figures = Object.fromEntries([...runs].map(([label, r]) => [label, medians(r)]));
  const context = {
    rounds,
    medians: figures,
    receiverStartToListeningMs: Math.round(median(listenMs)),
    note: 'wall time from spawn to exit; node -e 0 is Node alone on this machine in the same rounds',
  };
  const row = (label: string, limitMs: number): BenchResult => ({
    name: `${label} (wall)`,
    ours: figures[label]?.wallMs ?? Number.NaN,
    baseline: limitMs,
    unit: 'ms',
    better: 'lower',
    target: 1,
    details: context,
  });
  return [
    row('mock-sender --help', 120),
    row('webhook-receiver --help', 120),
    row('send --generate 1', 200),
    {
      name: 'send --generate 1 peak RSS',
      ours: figures['send --generate 1']?.peakRssMb ?? Number.NaN,
      baseline: 70,
      unit: 'MB',
      better: 'lower',
      target: 1,
      details: { note: 'VmHWM of mock-sender as it exits, median over rounds' },
    },
  ];
}
