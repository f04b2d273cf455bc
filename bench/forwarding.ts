// Forwarding: (1) per destination (NATS JetStream, RabbitMQ, HTTP to a counting sink), the built
// receiver draining a backlog of stored events from its SQLite outbox against a bare publish loop
// (bench/barePublish.ts, its own process) with the same client, message, confirm semantics and
// in-flight window, in alternating rounds; both are timed at the broker, from the first message
// it holds to the last. The backlog is filled once and each receiver round starts from a copy of
// that file. Each side of each round gets a stream (or an exchange and a queue, or a sink) of its
// own, removed after it: the same ids again within JetStream's duplicate window would be dropped.
// (2) The `ingest` load against two receivers, one forwarding every event to NATS and one not, in
// alternating rounds; every accepted event must reach the stream.
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AMQP_URL, amqpBroker, type BenchBroker, httpSink, NATS_URL, natsBroker } from './support/brokers.js';
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

/** The receiver's concurrency per destination: rows in flight; the bare loops use the same. */
const WINDOW = { nats: 256, amqp: 256, http: 16 } as const;
type Kind = keyof typeof WINDOW;
const KINDS = Object.keys(WINDOW) as Kind[];

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const runTag = randomBytes(5).toString('hex');
let serial = 0;

/** A destination of one side of one round: the broker, the receiver's settings, the bare loop's. */
interface Target {
  broker: BenchBroker;
  env: Record<string, string>;
  bareArgs: string[];
}

/** A stream (or an exchange and a queue, or a sink) no other run or round uses, removed by close(). */
async function openTarget(kind: Kind): Promise<Target> {
  serial += 1;
  if (kind === 'nats') {
    const [stream, prefix] = [`BENCH_FWD_${runTag}_${serial}`, `benchfwd${runTag}n${serial}`];
    return {
      broker: await natsBroker(stream, prefix, true),
      env: {
        FORWARD_NATS_URL: NATS_URL,
        FORWARD_NATS_STREAM: stream,
        FORWARD_NATS_SUBJECT: `${prefix}.{type}`,
      },
      bareArgs: ['--name', stream, '--prefix', prefix],
    };
  }
  if (kind === 'amqp') {
    const exchange = `bench_fwd_${runTag}_${serial}`;
    return {
      broker: await amqpBroker(exchange, true),
      env: { FORWARD_AMQP_URL: AMQP_URL, FORWARD_AMQP_EXCHANGE: exchange },
      bareArgs: ['--name', exchange],
    };
  }
  const sink = await httpSink(BENCH_SECRET);
  return {
    broker: sink,
    env: { FORWARD_HTTP_URL: sink.url, FORWARD_HTTP_SECRET: BENCH_SECRET },
    bareArgs: ['--name', sink.url],
  };
}

/** Runs `work` with a destination of its own, removed afterwards. */
async function withTarget<T>(kind: Kind, work: (target: Target) => Promise<T>): Promise<T> {
  const target = await openTarget(kind);
  try {
    return await work(target);
  } finally {
    await target.broker.close();
  }
}

/** The receiver's environment for one SQLite file, forwarding as `forward` says. */
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

// better-sqlite3 is the receiver's dependency; borrowed from there, as brokers.ts borrows the clients.
const Sqlite = createRequire(join(ROOT, 'apps/receiver/package.json'))('better-sqlite3') as new (
  file: string,
) => {
  prepare(sql: string): { run(): { changes: number } };
  close(): void;
};

/**
 * Stores at least `events` events in `file` with an outbox row for each destination, none
 * forwarded; resolves with the backlog. The receiver's NATS and AMQP destinations are a closed port
 * (so it claims nothing); the HTTP rows, which an unreachable endpoint would retry, are copied in
 * after it stopped.
 */
async function fillBacklog(file: string, events: number): Promise<number> {
  const [port, closed] = [await freePort(), await freePort()];
  const receiver = spawnNode(
    RECEIVER_MAIN,
    [],
    receiverEnv(file, port, {
      FORWARD_NATS_URL: `nats://127.0.0.1:${closed}`,
      FORWARD_AMQP_URL: `amqp://guest:guest@127.0.0.1:${closed}`,
    }),
  );
  const base = `http://127.0.0.1:${port}`;
  let backlog: number;
  try {
    await waitForHttp(`${base}/healthz`, receiver);
    while ((await metricValue(base, 'webhook_deliveries_total', 'outcome="accepted"')) < events) {
      const load = await runLoad(`${base}/webhooks`, 3, 32, true);
      if (load.non2xx > 0 || load.errors > 0)
        throw new Error(`bench: filling the backlog got ${load.non2xx} non-2xx and ${load.errors} errors`);
    }
    await waitIdle(receiver);
    backlog = await metricValue(base, 'webhook_forward_backlog', 'destination="nats"');
    const amqp = await metricValue(base, 'webhook_forward_backlog', 'destination="amqp"');
    if (amqp !== backlog) throw new Error(`bench: backlogs differ: nats ${backlog}, amqp ${amqp}`);
  } finally {
    await stop(receiver);
  }
  const db = new Sqlite(file);
  try {
    const copied = db
      .prepare(
        `INSERT INTO forward_outbox (webhook_id, destination, next_attempt_at, created_at)
         SELECT webhook_id, 'http', next_attempt_at, created_at FROM forward_outbox
         WHERE destination = 'nats' AND state = 'pending'`,
      )
      .run().changes;
    if (copied !== backlog) throw new Error(`bench: copied ${copied} HTTP rows for a backlog of ${backlog}`);
  } finally {
    db.close();
  }
  progress(`forwarding: backlog of ${fmt(backlog)} stored events per destination`);
  return backlog;
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
  cpuProfDir: string | undefined,
): Promise<BenchResult> {
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
        measured = await withTarget(kind, (target) =>
          drain(target.broker, backlog, () =>
            spawnNode(
              RECEIVER_MAIN,
              [],
              receiverEnv(file, port, target.env),
              cpuProfDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', join(cpuProfDir, kind)],
            ),
          ),
        );
      } else {
        measured = await withTarget(kind, (target) =>
          drain(target.broker, backlog, () =>
            spawnNode(join(ROOT, 'bench/barePublish.ts'), [
              '--kind',
              kind,
              ...target.bareArgs,
              '--count',
              String(backlog),
              '--window',
              String(WINDOW[kind]),
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
      window: WINDOW[kind],
      rounds,
      receiverRounds: rates.receiver.map(Math.round),
      bareRounds: rates.bare.map(Math.round),
      receiverCpuUsPerEventRounds: cpu.receiver.map(Math.round),
      bareCpuUsPerEventRounds: cpu.bare.map(Math.round),
    },
  };
}

/** Share of the plain receiver's saturated rate offered to both receivers in the measured rounds. */
const OFFERED_SHARE = 0.5;

/**
 * A receiver forwarding to NATS against the same receiver not forwarding, at one offered load: half
 * of what the plain one answers flat out in this run. Forwarding costs CPU per event (the drain rows
 * say how much), so flat out on 2 cores the forwarding receiver must answer fewer; what a team needs
 * is that at a rate the machine carries, publishing does not delay the 2xx. Compared: p99 latency
 * (autocannon, coordinated omission corrected), each side answering the whole offered rate.
 */
async function benchIngestForwarding(target: Target, opts: BenchOptions, dir: string): Promise<BenchResult> {
  const seconds = opts.seconds ?? (opts.quick ? 3 : 10);
  const rounds = opts.rounds ?? (opts.quick ? 2 : 3);
  const connections = 32;
  const [plainPort, forwardingPort] = [await freePort(), await freePort()];
  const procs = {
    plain: spawnNode(RECEIVER_MAIN, [], receiverEnv(join(dir, 'plain.sqlite'), plainPort, {})),
    forwarding: spawnNode(
      RECEIVER_MAIN,
      [],
      receiverEnv(join(dir, 'forwarding.sqlite'), forwardingPort, target.env),
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
    const everyProc = [procs.plain, procs.forwarding];
    // Flat out, each side once: the offered rate comes from the plain receiver's.
    const saturated = { plain: 0, forwarding: 0 };
    for (const side of ['plain', 'forwarding'] as const) {
      const { result } = await measureCpu(everyProc, () =>
        runLoad(`${base[side]}/webhooks`, seconds, connections, true),
      );
      saturated[side] = result.rps;
      progress(`ingest with forwarding, flat out, ${side}: ${fmt(result.rps)} req/s`);
    }
    const offered = Math.round(saturated.plain * OFFERED_SHARE);
    const sides = {
      plain: { results: [] as LoadResult[], cpuUs: [] as number[] },
      forwarding: { results: [] as LoadResult[], cpuUs: [] as number[] },
    };
    for (let round = 0; round < rounds; round += 1) {
      const order = round % 2 === 0 ? (['forwarding', 'plain'] as const) : (['plain', 'forwarding'] as const);
      for (const side of order) {
        // Both receivers idle before and after: the forwarding of a round's events is charged to it.
        const { result, cpuUs } = await measureCpu(everyProc, () =>
          runLoad(`${base[side]}/webhooks`, seconds, connections, true, offered),
        );
        if (result.non2xx > 0 || result.errors > 0)
          throw new Error(`bench: ${side} answered ${result.non2xx} non-2xx and ${result.errors} errors`);
        const perRequest = cpuUs[side === 'forwarding' ? 1 : 0]! / result.ok;
        sides[side].results.push(result);
        sides[side].cpuUs.push(perRequest);
        progress(
          `ingest with forwarding round ${round + 1}/${rounds} ${side} at ${fmt(offered)} req/s offered: ${fmt(result.rps)} req/s, p99 ${result.p99Ms} ms, ${fmt(perRequest)} µs CPU/request`,
        );
      }
    }
    // Every event the forwarding receiver accepted is in the stream.
    const accepted = await metricValue(base.forwarding, 'webhook_deliveries_total', 'outcome="accepted"');
    const deadline = Date.now() + 60_000;
    while ((await target.broker.count()) < accepted) {
      if (Date.now() > deadline)
        throw new Error(
          `bench: ${await target.broker.count()} of ${accepted} accepted events reached NATS in 60 s`,
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const p99 = (side: keyof typeof sides) => median(sides[side].results.map((r) => r.p99Ms));
    // Whether the forwarding side answered the whole offered rate (a side that fell behind shows
    // it in its p99 too, coordinated omission being corrected).
    const carried = sides.forwarding.results.every((r) => r.rps >= offered * 0.97);
    return {
      name: 'ingest with forwarding, p99 at half load',
      ours: p99('forwarding'),
      baseline: p99('plain'),
      unit: 'ms',
      target: 1.5,
      better: 'lower',
      cpu: {
        oursUs: Math.round(median(sides.forwarding.cpuUs)),
        baselineUs: Math.round(median(sides.plain.cpuUs)),
      },
      details: {
        destination: 'nats',
        connections,
        secondsPerRound: seconds,
        rounds,
        offeredRps: offered,
        carried,
        saturatedRps: { plain: Math.round(saturated.plain), forwarding: Math.round(saturated.forwarding) },
        forwardedEvents: accepted,
        forwardingRounds: sides.forwarding.results.map((r) => ({
          rps: Math.round(r.rps),
          p50Ms: r.p50Ms,
          p99Ms: r.p99Ms,
        })),
        plainRounds: sides.plain.results.map((r) => ({
          rps: Math.round(r.rps),
          p50Ms: r.p50Ms,
          p99Ms: r.p99Ms,
        })),
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
    for (const kind of KINDS)
      results.push(await benchDrain(kind, filled, backlog, rounds, dir, opts.cpuProfDir));
    results.push(await withTarget('nats', (target) => benchIngestForwarding(target, opts, dir)));
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
