// Receiver ingest on PostgreSQL, one and two instances: the same signed, unique-id load as the
// `ingest` benchmark against (1) one built receiver on PostgreSQL, (2) two built receivers on ONE
// PostgreSQL schema with the load split across them (two load-generator processes, half the
// connections each, running together; their rates add up), (3) the bare Express 5 app, the
// baseline, and (4) the receiver on SQLite, for context. All four are measured in this run, in
// rounds whose order rotates, and compared by medians. Every 2xx is a durable commit on the
// receivers (PostgreSQL: group-committed multi-row upserts with synchronous_commit=on; SQLite: WAL,
// synchronous=FULL). Each PostgreSQL setup gets its own schema (DATABASE_URL_TEST or the local
// default), dropped afterwards.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_SECRET, RECEIVER_MAIN } from './support/fixtures.js';
import { type LoadResult, runSplitLoad } from './support/load.js';
import {
  freePort,
  median,
  progress,
  ROOT,
  spawnNode,
  stop,
  waitForHttp,
  waitIdle,
} from './support/processes.js';
import type { BenchOptions, BenchResult } from './support/types.js';

const DATABASE_URL = process.env.DATABASE_URL_TEST ?? 'postgres://postgres@127.0.0.1:5432/test';

// pg is the receiver's dependency; borrow it from there rather than adding one to the bench.
interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
}
const pg = createRequire(join(ROOT, 'apps/receiver/package.json'))('pg') as {
  Client: new (config: { connectionString: string }) => PgClient;
};

export interface ReceiverPostgresOptions extends BenchOptions {
  /** Concurrent connections of the load generator, split across instances (default 32). */
  connections?: number;
  /** DATABASE_POOL_SIZE of each PostgreSQL receiver (default 10, the receiver's default). */
  poolSize?: number;
}

async function withPg<T>(fn: (client: PgClient) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function storedEvents(schema: string): Promise<number> {
  return withPg(async (c) => {
    const { rows } = await c.query(`SELECT count(*)::int AS n FROM "${schema}".webhook_events`);
    return Number(rows[0]?.['n'] ?? 0);
  });
}

async function dropSchema(schema: string): Promise<void> {
  await withPg((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

type Side = 'bare' | 'postgres1' | 'postgres2' | 'sqlite';
const SIDES: readonly Side[] = ['bare', 'postgres1', 'postgres2', 'sqlite'];

export async function benchReceiverPostgres(opts: ReceiverPostgresOptions = {}): Promise<BenchResult[]> {
  if (!existsSync(RECEIVER_MAIN))
    throw new Error(`bench: ${RECEIVER_MAIN} is missing: build first (npm run bench builds everything)`);
  const seconds = opts.seconds ?? (opts.quick ? 3 : 10);
  const rounds = opts.rounds ?? (opts.quick ? 2 : 3);
  const connections = opts.connections ?? 32;
  const poolSize = opts.poolSize ?? 10;
  const tag = randomBytes(5).toString('hex');
  const schemas = { one: `bench_pg1_${tag}`, two: `bench_pg2_${tag}` };
  const dir = mkdtempSync(join(tmpdir(), 'bench-receiver-pg-'));
  const ports = {
    bare: await freePort(),
    postgres1: await freePort(),
    postgres2a: await freePort(),
    postgres2b: await freePort(),
    sqlite: await freePort(),
  };
  const common = { WEBHOOK_SECRET: BENCH_SECRET, HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
  const postgresEnv = (schema: string, port: number) => ({
    ...common,
    PORT: String(port),
    DATABASE_URL: `${DATABASE_URL}${DATABASE_URL.includes('?') ? '&' : '?'}schema=${schema}`,
    DATABASE_POOL_SIZE: String(poolSize),
  });

  const procs = {
    bare: spawnNode(join(ROOT, 'bench/servers/bareExpress.ts'), [String(ports.bare)]),
    postgres1: spawnNode(RECEIVER_MAIN, [], postgresEnv(schemas.one, ports.postgres1)),
    postgres2a: spawnNode(RECEIVER_MAIN, [], postgresEnv(schemas.two, ports.postgres2a)),
    postgres2b: spawnNode(RECEIVER_MAIN, [], postgresEnv(schemas.two, ports.postgres2b)),
    sqlite: spawnNode(RECEIVER_MAIN, [], {
      ...common,
      PORT: String(ports.sqlite),
      DATABASE_URL: `sqlite:${join(dir, 'receiver.sqlite')}`,
    }),
  };
  const base = (port: number) => `http://127.0.0.1:${port}`;
  const targets: Record<Side, string[]> = {
    bare: [`${base(ports.bare)}/webhooks`],
    postgres1: [`${base(ports.postgres1)}/webhooks`],
    postgres2: [`${base(ports.postgres2a)}/webhooks`, `${base(ports.postgres2b)}/webhooks`],
    sqlite: [`${base(ports.sqlite)}/webhooks`],
  };
  const receivers = [procs.postgres1, procs.postgres2a, procs.postgres2b, procs.sqlite];
  try {
    await Promise.all(
      (Object.keys(procs) as (keyof typeof procs)[]).map((name) =>
        waitForHttp(`${base(ports[name])}/healthz`, procs[name]),
      ),
    );
    const results: Record<Side, LoadResult[]> = { bare: [], postgres1: [], postgres2: [], sqlite: [] };
    const warm = Math.min(2, seconds);
    progress(
      `receiver-postgres: warm-up ${warm}s per side, ${connections} connections (split across instances), pool ${poolSize} per instance`,
    );
    for (const side of SIDES) await runSplitLoad(targets[side], warm, connections);
    for (let round = 0; round < rounds; round += 1) {
      // Rotate the order so no side always runs first (or right after the same neighbour).
      const order = SIDES.map((_, i) => SIDES[(i + round) % SIDES.length]!);
      for (const side of order) {
        await Promise.all(receivers.map((proc) => waitIdle(proc)));
        const result = await runSplitLoad(targets[side], seconds, connections);
        if (result.non2xx > 0 || result.errors > 0)
          throw new Error(
            `bench: ${side} answered ${result.non2xx} non-2xx and ${result.errors} errors: the run is not valid`,
          );
        results[side].push(result);
        progress(
          `receiver-postgres round ${round + 1}/${rounds} ${side}: ${fmt(result.rps)} req/s, p99 ${result.p99Ms} ms`,
        );
      }
    }
    // Every 2xx must be a stored row (warm-up rows are there too, hence at least).
    for (const [side, schema] of [
      ['postgres1', schemas.one],
      ['postgres2', schemas.two],
    ] as const) {
      const acknowledged = results[side].reduce((sum, r) => sum + r.ok, 0);
      const stored = await storedEvents(schema);
      if (stored < acknowledged)
        throw new Error(`bench: ${side} acknowledged ${acknowledged} deliveries but stored ${stored}`);
    }

    const rate = (side: Side) => median(results[side].map((r) => r.rps));
    const rounded = (side: Side) => results[side].map((r) => Math.round(r.rps));
    const p99 = (side: Side) => median(results[side].map((r) => r.p99Ms));
    const details = {
      connections,
      poolSize,
      secondsPerRound: seconds,
      rounds,
      bareRounds: rounded('bare'),
      postgres1Rounds: rounded('postgres1'),
      postgres2Rounds: rounded('postgres2'),
      sqliteRounds: rounded('sqlite'),
      p99Ms: {
        bare: p99('bare'),
        postgres1: p99('postgres1'),
        postgres2: p99('postgres2'),
        sqlite: p99('sqlite'),
      },
      twoVsOneInstance: Math.round((rate('postgres2') / rate('postgres1')) * 100) / 100,
      postgres1VsSqlite: Math.round((rate('postgres1') / rate('sqlite')) * 100) / 100,
      note: 'two instances share the machine (2 cores here) with PostgreSQL and the load generators',
    };
    const row = (name: string, side: Side): BenchResult => ({
      name,
      ours: Math.round(rate(side)),
      baseline: Math.round(rate('bare')),
      unit: 'req/s',
      // The ingest bar from the benchmarks issue, against the same bare Express app.
      target: 0.8,
      better: 'higher',
      details,
    });
    return [
      row('ingest PostgreSQL, 1 instance', 'postgres1'),
      row('ingest PostgreSQL, 2 instances', 'postgres2'),
      row('ingest SQLite (same run, context)', 'sqlite'),
    ];
  } finally {
    await Promise.all(Object.values(procs).map((proc) => stop(proc)));
    rmSync(dir, { recursive: true, force: true });
    await Promise.all(Object.values(schemas).map((schema) => dropSchema(schema).catch(() => undefined)));
  }
}

// Runs on its own: `./node_modules/.bin/tsx bench/receiverPostgres.ts [--quick]`.
if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const results = await benchReceiverPostgres({ quick: process.argv.includes('--quick') });
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}
