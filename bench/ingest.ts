// Receiver ingest: POST /webhooks with unique ids and valid signatures (signed per request by the
// socket generator, support/socketLoad.ts, in a process of its own) against the built receiver with
// SQLite (WAL, synchronous=FULL: every 2xx is fsync'd), versus a bare Express 5 app answering 200 to
// the same requests. Both servers run for the whole benchmark; rounds alternate (the side going
// first alternates too) and the medians are compared. A receiver round ends only once the receiver
// has drained: every accepted delivery settled by its processor (its settlements committed by the
// writer thread), then both processes idle. So its leftover work never lands in the bare app's
// round, and each side's process CPU time (user + system, all threads, from /proc) over its round,
// the receiver's processing of that round's backlog included, divided by the requests answered, is
// its CPU per request: steadier than req/s on a shared machine.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_SECRET, RECEIVER_MAIN } from './support/fixtures.js';
import { type LoadResult, runLoad } from './support/load.js';
import {
  freePort,
  measureCpu,
  median,
  metricValue,
  peakRssMb,
  progress,
  ROOT,
  spawnNode,
  stop,
  waitForHttp,
  waitIdle,
  waitSettled,
} from './support/processes.js';
import type { BenchOptions, BenchResult } from './support/types.js';

export interface IngestOptions extends BenchOptions {
  /** Concurrent connections of the load generator (default 32). */
  connections?: number;
  /** Write a V8 CPU profile of the receiver into this folder (node --cpu-prof). */
  cpuProfDir?: string;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export async function benchIngest(opts: IngestOptions = {}): Promise<BenchResult[]> {
  if (!existsSync(RECEIVER_MAIN))
    throw new Error(`bench: ${RECEIVER_MAIN} is missing: build first (npm run bench builds everything)`);
  const seconds = opts.seconds ?? (opts.quick ? 3 : 10);
  const rounds = opts.rounds ?? (opts.quick ? 2 : 3);
  const connections = opts.connections ?? 32;
  const dir = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
  const [receiverPort, barePort] = [await freePort(), await freePort()];

  const receiver = spawnNode(
    RECEIVER_MAIN,
    [],
    {
      WEBHOOK_SECRET: BENCH_SECRET,
      PORT: String(receiverPort),
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${join(dir, 'receiver.sqlite')}`,
      LOG_LEVEL: 'warn',
    },
    opts.cpuProfDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir],
  );
  const bare = spawnNode(join(ROOT, 'bench/servers/bareExpress.ts'), [String(barePort)]);
  const receiverBase = `http://127.0.0.1:${receiverPort}`;
  const bareBase = `http://127.0.0.1:${barePort}`;
  try {
    await Promise.all([
      waitForHttp(`${receiverBase}/healthz`, receiver),
      waitForHttp(`${bareBase}/healthz`, bare),
    ]);
    const sides = {
      receiver: { url: `${receiverBase}/webhooks`, results: [] as LoadResult[], cpuUs: [] as number[] },
      bare: { url: `${bareBase}/webhooks`, results: [] as LoadResult[], cpuUs: [] as number[] },
    };
    const warm = Math.min(2, seconds);
    progress(`ingest: warm-up ${warm}s per side, ${connections} connections`);
    await runLoad(sides.receiver.url, warm, connections, true);
    await runLoad(sides.bare.url, warm, connections, true);
    await waitSettled(receiverBase);
    for (let round = 0; round < rounds; round += 1) {
      const order = round % 2 === 0 ? (['receiver', 'bare'] as const) : (['bare', 'receiver'] as const);
      for (const side of order) {
        // Both servers idle before and after, and the receiver drained: its backlog is charged to
        // its own round.
        const { result, cpuUs } = await measureCpu([receiver, bare], async () => {
          const load = await runLoad(sides[side].url, seconds, connections, true);
          if (side === 'receiver') await waitSettled(receiverBase);
          return load;
        });
        if (result.non2xx > 0 || result.errors > 0)
          throw new Error(
            `bench: ${side} answered ${result.non2xx} non-2xx and ${result.errors} errors: the ingest run is not valid`,
          );
        const perRequest = cpuUs[side === 'receiver' ? 0 : 1]! / result.ok;
        sides[side].results.push(result);
        sides[side].cpuUs.push(perRequest);
        progress(
          `ingest round ${round + 1}/${rounds} ${side}: ${fmt(result.rps)} req/s, ${fmt(perRequest)} µs CPU/request, p99 ${result.p99Ms} ms`,
        );
      }
    }
    await waitIdle(receiver);
    const rssMb = peakRssMb(receiver.pid);
    // Every 2xx must be a stored event: the receiver's own counter agrees with the generator's.
    const sent = sides.receiver.results.reduce((sum, r) => sum + r.ok, 0);
    const accepted = await metricValue(receiverBase, 'webhook_deliveries_total', 'outcome="accepted"');
    if (accepted < sent)
      throw new Error(
        `bench: the generator got ${sent} 2xx in measured rounds but the receiver accepted ${accepted}`,
      );

    const ours = median(sides.receiver.results.map((r) => r.rps));
    const base = median(sides.bare.results.map((r) => r.rps));
    const cpu = { receiver: median(sides.receiver.cpuUs), bare: median(sides.bare.cpuUs) };
    return [
      {
        name: 'ingest',
        ours: Math.round(ours),
        baseline: Math.round(base),
        unit: 'req/s',
        target: 0.95,
        better: 'higher',
        // The bar (#30): at least 0.95x the bare app's rate, at most 1.5x its CPU per request.
        cpu: { oursUs: Math.round(cpu.receiver), baselineUs: Math.round(cpu.bare), target: 1.5 },
        details: {
          connections,
          secondsPerRound: seconds,
          rounds,
          receiverP99Ms: median(sides.receiver.results.map((r) => r.p99Ms)),
          bareP99Ms: median(sides.bare.results.map((r) => r.p99Ms)),
          receiverRounds: sides.receiver.results.map((r) => Math.round(r.rps)),
          bareRounds: sides.bare.results.map((r) => Math.round(r.rps)),
          receiverCpuUsPerRequestRounds: sides.receiver.cpuUs.map((us) => Math.round(us)),
          bareCpuUsPerRequestRounds: sides.bare.cpuUs.map((us) => Math.round(us)),
        },
      },
      {
        name: 'receiver peak RSS',
        ours: Math.round(rssMb),
        baseline: 150,
        unit: 'MB',
        target: 1,
        better: 'lower',
        details: { note: 'VmHWM of the receiver after every ingest round' },
      },
    ];
  } finally {
    await Promise.all([stop(receiver), stop(bare)]);
    rmSync(dir, { recursive: true, force: true });
  }
}
