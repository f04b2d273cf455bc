// Mock sender, end to end: `mock-sender send --generate 20000 --concurrency 50` (the built CLI, its
// own process, timed from spawn to exit: start-up included, as a user waits for it) delivering
// signed events to a null sink (a bare node:http server, another process), versus autocannon's own
// requests/s to the same sink with the same number of connections (replaying one prebuilt unsigned
// request: the load generator's ceiling). Rounds alternate; medians are compared. CPU per delivery
// is the sender's user + system time from its first connection to its exit, over the events sent.
// Memory: the sender's peak RSS (VmHWM, read as it exits) sending 1 000 000 generated events, and
// replaying 1 000 000 exported events from a file written to a temp dir (deleted after).
// For context, each round also times servers/minimalSender.mjs the sender's way (the same count and
// connections, spawn to exit): what a Node client that only signs and sends reaches here.
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_SECRET, docsExampleBody, SENDER_CLI } from './support/fixtures.js';
import { runLoad } from './support/load.js';
import { freePort, median, progress, ROOT, spawnNode, stop, waitForHttp } from './support/processes.js';
import type { BenchOptions, BenchResult } from './support/types.js';

const PEAK_RSS_HOOK = join(ROOT, 'bench/servers/reportPeakRss.cjs');
const MINIMAL_SENDER = join(ROOT, 'bench/servers/minimalSender.mjs');
const SENDING_CPU_HOOK = join(ROOT, 'bench/support/reportSendingCpu.cjs');
const RSS_LIMIT_MB = 120;

interface SendSummary {
  delivered: number;
  failed: number;
  durationMs: number;
}

interface SenderRun {
  /** Deliveries per second over the whole command, spawn to exit. */
  rate: number;
  /** Deliveries per second over the sender's own send duration (start-up excluded), for context. */
  sendingRate: number;
  peakRssMb: number;
  /** CPU time (user + system) per delivery, in µs, from the first connection to exit. */
  cpuUsPerDelivery: number;
  /** The whole process's CPU time (start-up included), in ms. */
  totalCpuMs: number;
  wallSeconds: number;
}

async function runSender(
  url: string,
  events: number,
  concurrency: number,
  args: string[],
): Promise<SenderRun> {
  const started = performance.now();
  const sender = spawnNode(
    SENDER_CLI,
    [
      ...args,
      '--to',
      url,
      '--secret',
      BENCH_SECRET,
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
  if (code !== 0) throw new Error(`bench: mock-sender ${args[0]} failed (exit ${code}):\n${sender.stderr()}`);
  const summary = JSON.parse(sender.stdout().trim()) as SendSummary;
  if (summary.delivered !== events || summary.failed !== 0)
    throw new Error(`bench: mock-sender delivered ${summary.delivered}/${events} (${summary.failed} failed)`);
  const rss = /bench-peak-rss-kb=(\d+)/.exec(sender.stderr());
  if (rss === null) throw new Error('bench: the sender did not report its peak RSS');
  const cpu = /bench-sending-cpu-us=(\d+) bench-total-cpu-us=(\d+)/.exec(sender.stderr());
  if (cpu === null) throw new Error('bench: the sender did not report its CPU time');
  return {
    rate: events / wallSeconds,
    sendingRate: (summary.delivered * 1000) / summary.durationMs,
    peakRssMb: Number(rss[1]) / 1024,
    cpuUsPerDelivery: Number(cpu[1]) / summary.delivered,
    totalCpuMs: Number(cpu[2]) / 1000,
    wallSeconds,
  };
}

/** Deliveries per second of the minimal sender over its whole command (spawn to exit). */
async function runMinimalSender(
  url: string,
  events: number,
  connections: number,
  bodyBase64: string,
): Promise<number> {
  const started = performance.now();
  const client = spawnNode(MINIMAL_SENDER, [url, String(events), String(connections), bodyBase64]);
  const code = await client.exited;
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`bench: the minimal sender failed (exit ${code}):\n${client.stderr()}`);
  const { delivered } = JSON.parse(client.stdout().trim()) as { delivered: number };
  if (delivered !== events) throw new Error(`bench: the minimal sender delivered ${delivered}/${events}`);
  return events / seconds;
}

/** Writes `count` export lines (the docs example under fresh ids, one second apart) to `file`. */
async function writeExport(file: string, count: number): Promise<void> {
  const example = JSON.parse(docsExampleBody().toString('utf8')) as Record<string, unknown>;
  const out = createWriteStream(file);
  const start = Date.parse('2026-01-01T00:00:00.000Z');
  for (let i = 0; i < count; i++) {
    const id = `msg_bench${i.toString(36).padStart(12, '0')}`;
    const body = Buffer.from(JSON.stringify({ ...example, id }));
    const line = `{"webhook_id":"${id}","type":"course_lesson_interaction.completed","status":"processed","received_at":"${new Date(start + i * 1000).toISOString()}","body_base64":"${body.toString('base64')}"}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
}

/** Peak RSS of one 1 000 000-event run (generated, then replayed from a file), against the limit. */
async function memoryRows(url: string, events: number, concurrency: number): Promise<BenchResult[]> {
  const label = events.toLocaleString('en-US');
  progress(`sender: ${label} generated events`);
  const generated = await runSender(url, events, concurrency, ['send', '--generate', String(events)]);
  progress(
    `sender: ${label} generated: peak RSS ${generated.peakRssMb.toFixed(0)} MB, ${generated.cpuUsPerDelivery.toFixed(1)} µs CPU per delivery`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'bench-sender-'));
  let replayed: SenderRun;
  try {
    const file = join(dir, 'export.ndjson');
    await writeExport(file, events);
    progress(`sender: ${label} events replayed from a file`);
    replayed = await runSender(url, events, concurrency, ['replay', '--from', file]);
    progress(
      `sender: ${label} replayed: peak RSS ${replayed.peakRssMb.toFixed(0)} MB, ${replayed.cpuUsPerDelivery.toFixed(1)} µs CPU per delivery`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const row = (name: string, run: SenderRun): BenchResult => ({
    name,
    ours: Math.round(run.peakRssMb),
    baseline: RSS_LIMIT_MB,
    unit: 'MB',
    target: 1,
    better: 'lower',
    cpu: { oursUs: Math.round(run.cpuUsPerDelivery * 10) / 10 },
    details: {
      note: `VmHWM of mock-sender as it exits; limit ${RSS_LIMIT_MB} MB`,
      events,
      wallSeconds: Math.round(run.wallSeconds * 10) / 10,
    },
  });
  return [
    row(`sender peak RSS (${label} generated)`, generated),
    row(`sender peak RSS (${label} replayed)`, replayed),
  ];
}

export async function benchSender(opts: BenchOptions = {}): Promise<BenchResult[]> {
  if (!existsSync(SENDER_CLI))
    throw new Error(`bench: ${SENDER_CLI} is missing: build first (npm run bench builds everything)`);
  const rounds = opts.rounds ?? (opts.quick ? 2 : 3);
  const connections = 50;
  const events = 20_000;
  // A quick run keeps the memory rows short; their figure then says less.
  const memoryEvents = opts.quick ? 50_000 : 1_000_000;
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
    const minimalRates: number[] = [];
    const minimalBody = docsExampleBody().toString('base64');
    for (let round = 0; round < rounds; round += 1) {
      const runs: Array<() => Promise<void>> = [
        async () => {
          const run = await runSender(url, events, connections, ['send', '--generate', String(events)]);
          senderRuns.push(run);
          const minimal = await runMinimalSender(url, events, connections, minimalBody);
          minimalRates.push(minimal);
          progress(
            `sender round ${round + 1}/${rounds} mock-sender: ${Math.round(run.rate).toLocaleString('en-US')} deliveries/s over the whole command (${run.wallSeconds.toFixed(2)} s, ${Math.round(run.sendingRate).toLocaleString('en-US')}/s sending), ${run.cpuUsPerDelivery.toFixed(1)} µs CPU per delivery, ${Math.round(run.totalCpuMs)} ms CPU in all; the minimal sender ${Math.round(minimal).toLocaleString('en-US')}/s timed the same way`,
          );
        },
        async () => {
          // At least as long as the sender's last round took, so both sides see the same sink.
          const seconds = Math.max(2, Math.ceil(senderRuns.at(-1)?.wallSeconds ?? 2));
          const result = await runLoad(url, seconds, connections, false);
          loadRates.push(result.rps);
          // For context, not the baseline: the signing generator of ingest (support/socketLoad.ts).
          const signed = await runLoad(url, seconds, connections, true);
          signedRates.push(signed.rps);
          progress(
            `sender round ${round + 1}/${rounds} autocannon: ${Math.round(result.rps).toLocaleString('en-US')} req/s replaying; the socket generator ${Math.round(signed.rps).toLocaleString('en-US')} req/s signing each request`,
          );
        },
      ];
      if (round % 2 === 1) runs.reverse();
      for (const run of runs) await run();
    }
    const ours = median(senderRuns.map((r) => r.rate));
    const base = median(loadRates);
    const cpuPerDelivery = median(senderRuns.map((r) => r.cpuUsPerDelivery));
    progress(`sender: ${cpuPerDelivery.toFixed(1)} µs CPU per delivery (median of ${rounds} rounds)`);
    const memory = await memoryRows(url, memoryEvents, connections);
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
          command: `send --generate ${events} --concurrency ${connections}, spawn to exit`,
          connections,
          eventsPerRound: events,
          rounds,
          senderRounds: senderRuns.map((r) => Math.round(r.rate)),
          senderSeconds: senderRuns.map((r) => Math.round(r.wallSeconds * 100) / 100),
          // Start-up excluded: the rate over the summary's own duration.
          sendingRounds: senderRuns.map((r) => Math.round(r.sendingRate)),
          // The sender's CPU (user + system, first connection to exit) per delivery, round by round.
          cpuUsPerDeliveryRounds: senderRuns.map((r) => Math.round(r.cpuUsPerDelivery * 10) / 10),
          totalCpuMsRounds: senderRuns.map((r) => Math.round(r.totalCpuMs)),
          autocannonRounds: loadRates.map((r) => Math.round(r)),
          signingGeneratorRounds: signedRates.map((r) => Math.round(r)),
          ratioToSigningGenerator: Math.round((ours / median(signedRates)) * 100) / 100,
          // servers/minimalSender.mjs, timed like ours: what a client that only signs and sends reaches.
          minimalSenderRounds: minimalRates.map((r) => Math.round(r)),
          minimalSenderRatio: Math.round((median(minimalRates) / base) * 100) / 100,
        },
      },
      ...memory,
    ];
  } finally {
    await stop(sink);
  }
}
