// Receiver ingest on PostgreSQL: the same signed, unique-id load as the `ingest` benchmark, against
// the built receiver on PostgreSQL (group-committed multi-row upserts, synchronous_commit=on)
// versus the same receiver on SQLite (WAL, synchronous=FULL), both measured in this run with
// alternating rounds. Every 2xx is a durable commit on both sides. The PostgreSQL side uses its own
// schema (DATABASE_URL_TEST or the local default), dropped afterwards.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLoad } from './ingest.js';
import type { LoadResult } from './loadgen.js';
import {
  BENCH_SECRET,
  cpuTicks,
  freePort,
  median,
  progress,
  ROOT,
  type Spawned,
  spawnNode,
  stop,
  waitForHttp,
} from './processes.js';
import type { BenchOptions, BenchResult } from './run.js';

const RECEIVER_MAIN = join(ROOT, 'apps/receiver/dist/main.js');
const DATABASE_URL = process.env.DATABASE_URL_TEST ?? 'postgres://postgres@127.0.0.1:5432/test';

// pg is the receiver's dependency; borrow it from there rather than adding one to the bench.
interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}
const pg = createRequire(join(ROOT, 'apps/receiver/package.json'))('pg') as {
  Client: new (config: { connectionString: string }) => PgClient;
};

export interface ReceiverPostgresOptions extends BenchOptions {
  /** Concurrent connections of the load generator (default 32). */
  connections?: number;
  /** DATABASE_POOL_SIZE of the PostgreSQL receiver (default 10, the receiver's default). */
  poolSize?: number;
}

/** Waits until the process burns (almost) no CPU for 300 ms: its processing backlog is done. */
async function waitIdle(proc: Spawned, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let before = cpuTicks(proc.pid);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = cpuTicks(proc.pid);
    if (after - before <= 2) return;
    if (Date.now() > deadline) throw new Error('bench: the receiver is still busy after 60 s of waiting');
    before = after;
  }
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export async function benchReceiverPostgres(opts: ReceiverPostgresOptions = {}): Promise<BenchResult[]> {
  if (!existsSync(RECEIVER_MAIN))
    throw new Error(`bench: ${RECEIVER_MAIN} is missing: build first (npm run bench builds everything)`);
  const seconds = opts.seconds ?? (opts.quick ? 3 : 10);
  const rounds = opts.rounds ?? (opts.quick ? 2 : 3);
  const connections = opts.connections ?? 32;
  const poolSize = opts.poolSize ?? 10;
  const schema = `bench_pg_${randomBytes(5).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'bench-receiver-pg-'));
  const [pgPort, sqlitePort] = [await freePort(), await freePort()];
  const common = { WEBHOOK_SECRET: BENCH_SECRET, HOST: '127.0.0.1', LOG_LEVEL: 'warn' };

  const procs = {
    postgres: spawnNode(RECEIVER_MAIN, [], {
      ...common,
      PORT: String(pgPort),
      DATABASE_URL: `${DATABASE_URL}${DATABASE_URL.includes('?') ? '&' : '?'}schema=${schema}`,
      DATABASE_POOL_SIZE: String(poolSize),
    }),
    sqlite: spawnNode(RECEIVER_MAIN, [], {
      ...common,
      PORT: String(sqlitePort),
      DATABASE_URL: `sqlite:${join(dir, 'receiver.sqlite')}`,
    }),
  };
  const bases = { postgres: `http://127.0.0.1:${pgPort}`, sqlite: `http://127.0.0.1:${sqlitePort}` };
  try {
    await Promise.all([
      waitForHttp(`${bases.postgres}/healthz`, procs.postgres),
      waitForHttp(`${bases.sqlite}/healthz`, procs.sqlite),
    ]);
    const results: Record<'postgres' | 'sqlite', LoadResult[]> = { postgres: [], sqlite: [] };
    const warm = Math.min(2, seconds);
    progress(`receiver-postgres: warm-up ${warm}s per side, ${connections} connections, pool ${poolSize}`);
    await runLoad(`${bases.postgres}/webhooks`, warm, connections, true);
    await runLoad(`${bases.sqlite}/webhooks`, warm, connections, true);
    for (let round = 0; round < rounds; round += 1) {
      const order = round % 2 === 0 ? (['postgres', 'sqlite'] as const) : (['sqlite', 'postgres'] as const);
      for (const side of order) {
        await Promise.all([waitIdle(procs.postgres), waitIdle(procs.sqlite)]);
        const result = await runLoad(`${bases[side]}/webhooks`, seconds, connections, true);
        if (result.non2xx > 0 || result.errors > 0)
          throw new Error(
            `bench: the ${side} receiver answered ${result.non2xx} non-2xx and ${result.errors} errors: the run is not valid`,
          );
        results[side].push(result);
        progress(
          `receiver-postgres round ${round + 1}/${rounds} ${side}: ${fmt(result.rps)} req/s, p99 ${result.p99Ms} ms`,
        );
      }
    }
    const ours = median(results.postgres.map((r) => r.rps));
    const base = median(results.sqlite.map((r) => r.rps));
    return [
      {
        name: 'ingest on PostgreSQL vs SQLite',
        ours: Math.round(ours),
        baseline: Math.round(base),
        unit: 'req/s',
        // The PostgreSQL server shares the machine's cores with the receiver and the load
        // generator here; half of the in-process SQLite figure is the bar.
        target: 0.5,
        better: 'higher',
        details: {
          connections,
          poolSize,
          secondsPerRound: seconds,
          rounds,
          postgresP99Ms: median(results.postgres.map((r) => r.p99Ms)),
          sqliteP99Ms: median(results.sqlite.map((r) => r.p99Ms)),
          postgresRounds: results.postgres.map((r) => Math.round(r.rps)),
          sqliteRounds: results.sqlite.map((r) => Math.round(r.rps)),
        },
      },
    ];
  } finally {
    await Promise.all([stop(procs.postgres), stop(procs.sqlite)]);
    rmSync(dir, { recursive: true, force: true });
    await dropSchema(schema).catch(() => undefined);
  }
}

// Runs on its own: `./node_modules/.bin/tsx bench/receiverPostgres.ts [--quick]`.
if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const results = await benchReceiverPostgres({ quick: process.argv.includes('--quick') });
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}
