// Mock sender throughput: `mock-sender send --generate N` (the built CLI, its own process) delivering
// signed events to a null sink (a bare node:http server, another process), versus autocannon's own
// requests/s to the same sink with the same number of connections (replaying one unsigned request:
// the load generator's ceiling). Rounds alternate; medians are compared. The sender's peak RSS is
// read (VmHWM) as it exits after sending 100 000 generated events, and so is its CPU time per
// delivery (user + system from its first request to its exit, over the events sent).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_SECRET, SENDER_CLI } from './support/fixtures.js';
import { runLoad } from './support/load.js';
import { freePort, median, progress, ROOT, spawnNode, stop, waitForHttp } from './support/processes.js';
import type { BenchOptions, BenchResult } from './support/types.js';

const PEAK_RSS_HOOK = join(ROOT, 'bench/servers/reportPeakRss.cjs');
const SENDING_CPU_HOOK = join(ROOT, 'bench/support/reportSendingCpu.cjs');

interface SendSummary {
  delivered: number;
  failed: number;
  durationMs: number;
}

interface SenderRun {
  /** Deliveries per second over the sender's own send duration (start-up excluded). */
  rate: number;
  peakRssMb: number;
  /** CPU time (user + system) per delivery, in µs, start-up excluded. */
  cpuUsPerDelivery: number;
  wallSeconds: number;
}

async function runSender(url: string, events: number, concurrency: number): Promise<SenderRun> {
  const started = performance.now();
  const sender = spawnNode(
    SENDER_CLI,
    [
      'send',
      '--to',
      url,
      '--secret',
      BENCH_SECRET,
      '--generate',
      String(events),
      '--concurrency',
      String(concurrency),
      '--retry-schedule',
      '',
      '--json',
      '--no-progress',
    ],
    {},
    ['--require', PEAK_RSS_HOOK, '--require', SENDING_CPU_HOOK],
  );
  const code = await sender.exited;
  const wallSeconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`bench: mock-sender send failed (exit ${code}):\n${sender.stderr()}`);
  const summary = JSON.parse(sender.stdout().trim()) as SendSummary;
  if (summary.delivered !== events || summary.failed !== 0)
    throw new Error(`bench: mock-sender delivered ${summary.delivered}/${events} (${summary.failed} failed)`);
  const rss = /bench-peak-rss-kb=(\d+)/.exec(sender.stderr());
  if (rss === null) throw new Error('bench: the sender did not report its peak RSS');
  const cpu = /bench-sending-cpu-us=(\d+)/.exec(sender.stderr());
  if (cpu === null) throw new Error('bench: the sender did not report its CPU time');
  return {
    rate: (summary.delivered * 1000) / summary.durationMs,
    peakRssMb: Number(rss[1]) / 1024,
    cpuUsPerDelivery: Number(cpu[1]) / summary.delivered,
    wallSeconds,
  };
}

export async function benchSender(opts: BenchOptions = {}): Promise<BenchResult[]> {
  if (!existsSync(SENDER_CLI))
    throw new Error(`bench: ${SENDER_CLI} is missing: build first (npm run bench builds everything)`);
  const rounds = opts.rounds ?? (opts.quick ? 2 : 3);
  const connections = 32;
  // Sized for a few seconds (quick) or about ten seconds per round at the sender's usual rate.
  const events = opts.quick ? 10_000 : 100_000;
  const port = await freePort();
  const sink = spawnNode(join(ROOT, 'bench/servers/nullSink.ts'), [String(port)]);
  const url = `http://127.0.0.1:${port}/`;
  try {
    await waitForHttp(url, sink);
    progress(`sender: warm-up, ${connections} connections`);
    await runLoad(url, 1, connections, false);
    const senderRuns: SenderRun[] = [];
    const loadRates: number[] = [];
    const signedRates: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      const runs: Array<() => Promise<void>> = [
        async () => {
          const run = await runSender(url, events, connections);
          senderRuns.push(run);
          progress(
            `sender round ${round + 1}/${rounds} mock-sender: ${Math.round(run.rate).toLocaleString('en-US')} deliveries/s (${events} events), ${run.cpuUsPerDelivery.toFixed(1)} µs CPU per delivery, peak RSS ${run.peakRssMb.toFixed(0)} MB`,
          );
        },
        async () => {
          // As long as the sender's last round took, so both sides see the same sink for as long.
          const seconds = Math.max(2, Math.round(senderRuns.at(-1)?.wallSeconds ?? (opts.quick ? 2 : 10)));
          const result = await runLoad(url, seconds, connections, false);
          loadRates.push(result.rps);
          // For context, not the baseline: the same generator signing each request, as in ingest.
          const signed = await runLoad(url, seconds, connections, true);
          signedRates.push(signed.rps);
          progress(
            `sender round ${round + 1}/${rounds} autocannon: ${Math.round(result.rps).toLocaleString('en-US')} req/s replaying, ${Math.round(signed.rps).toLocaleString('en-US')} req/s signing each request`,
          );
        },
      ];
      if (round % 2 === 1) runs.reverse();
      for (const run of runs) await run();
    }
    const ours = median(senderRuns.map((r) => r.rate));
    const base = median(loadRates);
    const peak = Math.max(...senderRuns.map((r) => r.peakRssMb));
    const cpuPerDelivery = median(senderRuns.map((r) => r.cpuUsPerDelivery));
    progress(`sender: ${cpuPerDelivery.toFixed(1)} µs CPU per delivery (median of ${rounds} rounds)`);
    return [
      {
        name: 'sender',
        ours: Math.round(ours),
        baseline: Math.round(base),
        unit: 'req/s',
        target: 0.5,
        better: 'higher',
        // autocannon replays and runs in its own process; its CPU is not comparable, so only ours.
        cpu: { oursUs: Math.round(cpuPerDelivery * 10) / 10 },
        details: {
          connections,
          eventsPerRound: events,
          rounds,
          senderRounds: senderRuns.map((r) => Math.round(r.rate)),
          // The sender's CPU (user + system, first request to exit) per delivery, round by round.
          cpuUsPerDeliveryRounds: senderRuns.map((r) => Math.round(r.cpuUsPerDelivery * 10) / 10),
          autocannonRounds: loadRates.map((r) => Math.round(r)),
          autocannonSigningRounds: signedRates.map((r) => Math.round(r)),
          ratioToSigningGenerator: Math.round((ours / median(signedRates)) * 100) / 100,
        },
      },
      {
        name: `sender peak RSS (${events.toLocaleString('en-US')} events)`,
        ours: Math.round(peak),
        baseline: 250,
        unit: 'MB',
        target: 1,
        better: 'lower',
        details: { note: 'VmHWM of mock-sender as it exits, max over rounds' },
      },
    ];
  } finally {
    await stop(sink);
  }
}
