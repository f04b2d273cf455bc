// Forwarding: (1) per destination (NATS JetStream, RabbitMQ), the built receiver draining a backlog
// of stored events from its SQLite outbox against a bare publish loop (bench/barePublish.ts, its own
// process) with the same client, message, confirm semantics and in-flight window, in alternating
// rounds; both are timed at the broker, from the first message the stream or queue holds to the
// last. The backlog is filled once, by delivering to a receiver whose destinations are unreachable
// (so it stores outbox rows and claims none), and each receiver round starts from a copy of that
// file. Each side of each round gets a stream (or an exchange and a queue) of its own, removed after
// it: the same ids again within JetStream's duplicate window would be dropped as duplicates. (2) The
// `ingest` load against two receivers, one forwarding every event to NATS and one not, in
// alternating rounds; every accepted event must reach the stream.
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AMQP_URL, amqpBroker, type BenchBroker, NATS_URL, natsBroker } from './support/brokers.js';
import { BENCH_SECRET, RECEIVER_MAIN } from './support/fixtures.js';
import { type LoadResult, runLoad } from './support/load.js';
import {
  cpuTicks,
  freePort,
  MICROS_PER_TICK,
  measureCpu,
  median,
  metricValue,
  progress,
  ROOT,
  type Spawned,
  spawnNode,
  stop,
  waitForHttp,
  waitIdle,
} from './support/processes.js';
import type { BenchOptions, BenchResult } from './support/types.js';

/** The receiver's NATS and AMQP concurrency: rows in flight per destination. */
const WINDOW = 256;
const KINDS = ['nats', 'amqp'] as const;
type Kind = (typeof KINDS)[number];

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

interface Names {
  stream: string;
  prefix: string;
  exchange: string;
}

const runTag = randomBytes(5).toString('hex');
let serial = 0;

/** Stream, subject prefix and exchange names no other run or round uses. */
function freshNames(): Names {
  serial += 1;
  return {
    stream: `BENCH_FWD_${runTag}_${serial}`,
    prefix: `benchfwd${runTag}n${serial}`,
    exchange: `bench_fwd_${runTag}_${serial}`,
  };
}

/** The names' stream, or exchange and queue, created now and removed by close(). */
function openBroker(kind: Kind, names: Names): Promise<BenchBroker> {
  return kind === 'nats' ? natsBroker(names.stream, names.prefix, true) : amqpBroker(names.exchange, true);
}

/** Runs `work` with a broker of its own, removed afterwards. */
async function withBroker<T>(
  kind: Kind,
  work: (broker: BenchBroker, names: Names) => Promise<T>,
): Promise<T> {
  const names = freshNames();
  const broker = await openBroker(kind, names);
  try {
    return await work(broker, names);
  } finally {
    await broker.close();
  }
}

/** The receiver's environment for one SQLite file, forwarding to the destinations given. */
function receiverEnv(file: string, port: number, forward: Record<string, string>): Record<string, string> {
  return {
    WEBHOOK_SECRET: BENCH_SECRET,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${file}`,
    LOG_LEVEL: 'warn',
    ...forward,
  };
}

function forwardEnv(kind: Kind, names: Names, url: string): Record<string, string> {
  return kind === 'nats'
    ? {
        FORWARD_NATS_URL: url,
        FORWARD_NATS_STREAM: names.stream,
        FORWARD_NATS_SUBJECT: `${names.prefix}.{type}`,
      }
    : { FORWARD_AMQP_URL: url, FORWARD_AMQP_EXCHANGE: names.exchange };
}

/**
 * Stores at least `events` events in `file` with outbox rows for both destinations, none forwarded
 * (their brokers are a closed port); resolves with each destination's backlog.
 */
async function fillBacklog(file: string, events: number): Promise<Record<Kind, number>> {
  const [port, closed] = [await freePort(), await freePort()];
  const names = freshNames();
  const receiver = spawnNode(
    RECEIVER_MAIN,
    [],
    receiverEnv(file, port, {
      ...forwardEnv('nats', names, `nats://127.0.0.1:${closed}`),
      ...forwardEnv('amqp', names, `amqp://guest:guest@127.0.0.1:${closed}`),
    }),
  );
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${base}/healthz`, receiver);
    while ((await metricValue(base, 'webhook_deliveries_total', 'outcome="accepted"')) < events) {
      const load = await runLoad(`${base}/webhooks`, 3, 32, true);
      if (load.non2xx > 0 || load.errors > 0)
        throw new Error(`bench: filling the backlog got ${load.non2xx} non-2xx and ${load.errors} errors`);
    }
    await waitIdle(receiver);
    const backlog = {
      nats: await metricValue(base, 'webhook_forward_backlog', 'destination="nats"'),
      amqp: await metricValue(base, 'webhook_forward_backlog', 'destination="amqp"'),
    };
    progress(`forwarding: backlog of ${fmt(backlog.nats)} stored events`);
    return backlog;
  } finally {
    await stop(receiver);
  }
}

interface Drain {
  /** Messages per second, from the first message seen at the broker to the last. */
  rate: number;
  /** The publishing process's CPU time (user + system) per message over the same span, in µs. */
  cpuUs: number;
}

/** Starts `start()` and polls the (empty) broker until it holds `expected` messages. */
async function drain(broker: BenchBroker, expected: number, start: () => Spawned): Promise<Drain> {
  const proc = start();
  let exitCode: number | null | undefined;
  void proc.exited.then((code) => {
    exitCode = code;
  });
  const deadline = Date.now() + 300_000;
  try {
    let first: { at: number; n: number; ticks: number } | undefined;
    for (;;) {
      const n = await broker.count();
      const at = performance.now();
      if (first === undefined && n > 0) first = { at, n, ticks: cpuTicks(proc.pid) };
      if (n >= expected && first !== undefined && at > first.at) {
        const ticks = cpuTicks(proc.pid) - first.ticks;
        return {
          rate: ((n - first.n) * 1000) / (at - first.at),
          cpuUs: (ticks * MICROS_PER_TICK) / (n - first.n),
        };
      }
      if (exitCode !== undefined && exitCode !== 0)
        throw new Error(`bench: a forwarding side exited with code ${exitCode}:\n${proc.stderr()}`);
      if (Date.now() > deadline)
        throw new Error(`bench: only ${n} of ${expected} messages reached the broker in 300 s`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    await stop(proc);
  }
}

async function benchDrain(
  kind: Kind,
  filled: string,
  backlog: number,
  rounds: number,
  dir: string,
): Promise<BenchResult> {
  const url = kind === 'nats' ? NATS_URL : AMQP_URL;
  const rates = { receiver: [] as number[], bare: [] as number[] };
  const cpu = { receiver: [] as number[], bare: [] as number[] };
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? (['receiver', 'bare'] as const) : (['bare', 'receiver'] as const);
    for (const side of order) {
      let measured: Drain;
      if (side === 'receiver') {
        const file = join(dir, `${kind}-${round}.sqlite`);
        copyFileSync(filled, file);
        if (existsSync(`${filled}-wal`)) copyFileSync(`${filled}-wal`, `${file}-wal`);
        const port = await freePort();
        measured = await withBroker(kind, (broker, names) =>
          drain(broker, backlog, () =>
            spawnNode(RECEIVER_MAIN, [], receiverEnv(file, port, forwardEnv(kind, names, url))),
          ),
        );
      } else {
        measured = await withBroker(kind, (broker, names) =>
          drain(broker, backlog, () =>
            spawnNode(join(ROOT, 'bench/barePublish.ts'), [
              '--kind',
              kind,
              ...(kind === 'nats'
                ? ['--name', names.stream, '--prefix', names.prefix]
                : ['--name', names.exchange]),
              '--count',
              String(backlog),
              '--window',
              String(WINDOW),
            ]),
          ),
        );
      }
      rates[side].push(measured.rate);
      cpu[side].push(measured.cpuUs);
      progress(
        `forwarding ${kind} round ${round + 1}/${rounds} ${side}: ${fmt(measured.rate)} events/s, ${fmt(measured.cpuUs)} µs CPU/event`,
      );
    }
  }
  return {
    name: `forwarding ${kind}`,
    ours: Math.round(median(rates.receiver)),
    baseline: Math.round(median(rates.bare)),
    unit: 'events/s',
    target: 0.5,
    better: 'higher',
    // The publishing process only: the broker's own work is the same for both sides.
    cpu: { oursUs: Math.round(median(cpu.receiver)), baselineUs: Math.round(median(cpu.bare)) },
    details: {
      backlog,
      window: WINDOW,
      rounds,
      receiverRounds: rates.receiver.map(Math.round),
      bareRounds: rates.bare.map(Math.round),
      receiverCpuUsPerEventRounds: cpu.receiver.map(Math.round),
      bareCpuUsPerEventRounds: cpu.bare.map(Math.round),
    },
  };
}

/** The ingest load against a receiver forwarding to NATS and the same receiver not forwarding. */
async function benchIngestForwarding(
  broker: BenchBroker,
  names: Names,
  opts: BenchOptions,
  dir: string,
): Promise<BenchResult> {
  const seconds = opts.seconds ?? (opts.quick ? 3 : 10);
  const rounds = opts.rounds ?? (opts.quick ? 2 : 3);
  const connections = 32;
  const [plainPort, forwardingPort] = [await freePort(), await freePort()];
  const procs = {
    plain: spawnNode(RECEIVER_MAIN, [], receiverEnv(join(dir, 'plain.sqlite'), plainPort, {})),
    forwarding: spawnNode(
      RECEIVER_MAIN,
      [],
      receiverEnv(join(dir, 'forwarding.sqlite'), forwardingPort, forwardEnv('nats', names, NATS_URL)),
    ),
  };
  const base = { plain: `http://127.0.0.1:${plainPort}`, forwarding: `http://127.0.0.1:${forwardingPort}` };
  try {
    await Promise.all([
      waitForHttp(`${base.plain}/healthz`, procs.plain),
      waitForHttp(`${base.forwarding}/healthz`, procs.forwarding),
    ]);
    const warm = Math.min(2, seconds);
    await runLoad(`${base.plain}/webhooks`, warm, connections, true);
    await runLoad(`${base.forwarding}/webhooks`, warm, connections, true);
    const sides = {
      plain: { results: [] as LoadResult[], cpuUs: [] as number[] },
      forwarding: { results: [] as LoadResult[], cpuUs: [] as number[] },
    };
    const everyProc = [procs.plain, procs.forwarding];
    for (let round = 0; round < rounds; round += 1) {
      const order = round % 2 === 0 ? (['forwarding', 'plain'] as const) : (['plain', 'forwarding'] as const);
      for (const side of order) {
        // Both receivers idle before and after: the forwarding of a round's events is charged to it.
        const { result, cpuUs } = await measureCpu(everyProc, () =>
          runLoad(`${base[side]}/webhooks`, seconds, connections, true),
        );
        if (result.non2xx > 0 || result.errors > 0)
          throw new Error(`bench: ${side} answered ${result.non2xx} non-2xx and ${result.errors} errors`);
        const perRequest = cpuUs[side === 'forwarding' ? 1 : 0]! / result.ok;
        sides[side].results.push(result);
        sides[side].cpuUs.push(perRequest);
        progress(
          `ingest with forwarding round ${round + 1}/${rounds} ${side}: ${fmt(result.rps)} req/s, ${fmt(perRequest)} µs CPU/request`,
        );
      }
    }
    // Every event the forwarding receiver accepted is in the stream.
    const accepted = await metricValue(base.forwarding, 'webhook_deliveries_total', 'outcome="accepted"');
    const deadline = Date.now() + 60_000;
    while ((await broker.count()) < accepted) {
      if (Date.now() > deadline)
        throw new Error(`bench: ${await broker.count()} of ${accepted} accepted events reached NATS in 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return {
      name: 'ingest with forwarding',
      ours: Math.round(median(sides.forwarding.results.map((r) => r.rps))),
      baseline: Math.round(median(sides.plain.results.map((r) => r.rps))),
      unit: 'req/s',
      target: 0.9,
      better: 'higher',
      cpu: {
        oursUs: Math.round(median(sides.forwarding.cpuUs)),
        baselineUs: Math.round(median(sides.plain.cpuUs)),
      },
      details: {
        destination: 'nats',
        connections,
        secondsPerRound: seconds,
        rounds,
        forwardedEvents: accepted,
        forwardingRounds: sides.forwarding.results.map((r) => Math.round(r.rps)),
        plainRounds: sides.plain.results.map((r) => Math.round(r.rps)),
      },
    };
  } finally {
    await Promise.all([stop(procs.plain), stop(procs.forwarding)]);
  }
}

export async function benchForwarding(opts: BenchOptions = {}): Promise<BenchResult[]> {
  if (!existsSync(RECEIVER_MAIN))
    throw new Error(`bench: ${RECEIVER_MAIN} is missing: build first (npm run bench builds everything)`);
  const rounds = opts.rounds ?? (opts.quick ? 2 : 3);
  const events = opts.quick ? 5_000 : 20_000;
  const dir = mkdtempSync(join(tmpdir(), 'bench-forwarding-'));
  try {
    const filled = join(dir, 'filled.sqlite');
    const backlog = await fillBacklog(filled, events);
    const results: BenchResult[] = [];
    for (const kind of KINDS) results.push(await benchDrain(kind, filled, backlog[kind], rounds, dir));
    results.push(
      await withBroker('nats', (broker, names) => benchIngestForwarding(broker, names, opts, dir)),
    );
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
