// Two receiver PROCESSES (the built dist/main.js) on one PostgreSQL schema, a duplicate-heavy load
// spread across both, then the instance caught in the middle of settling a batch killed with
// SIGKILL: every event must be stored once and processed once, and the survivor must take over the
// dead instance's claims when their lease runs out. Needs `./node_modules/.bin/turbo run build` first.
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectAdmin,
  dropSchema,
  randomSchema,
  testDatabaseUrl,
  withAdminClient,
} from '../src/store/test-support/postgresTestDatabase.js';
import {
  completedEvent,
  type SignedRequest,
  signedRequest,
  testSecret,
} from '../src/test-support/signedRequest.js';
import { eventually } from '../src/test-support/startReceiver.js';

const mainJs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/main.js');
const leaseMs = 3000;

interface Instance {
  child: ChildProcess;
  pid: number;
  url: string;
}

async function startInstance(databaseUrl: string): Promise<Instance> {
  const child = spawn(process.execPath, [mainJs], {
    env: {
      PATH: process.env.PATH,
      WEBHOOK_SECRET: testSecret,
      PORT: '0',
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: '4',
      PROCESSING_LEASE_MS: String(leaseMs),
      // The trap below holds a lock for several seconds; the default 5 s limit would turn the
      // stuck settlement into a failed attempt before the kill.
      DATABASE_LOCK_TIMEOUT_MS: '60000',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = readline.createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`receiver did not start within 20 s: ${stderr}`)),
      20_000,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`receiver exited with ${code} before listening: ${stderr}`));
    });
    lines.on('line', (line) => {
      const match = /listening on (http:\/\/[^"\s]+)/.exec(line);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
  });
  // Keep draining stdout so a full pipe never blocks the child's logging.
  lines.on('line', () => {});
  return { child, pid: child.pid!, url };
}

type Answer = { status: number; body: { status?: string } } | { status: 'connection_failed' };

/** 503s answered (store busy or unreachable): the sender retries those, as a real sender does. */
const unavailable = { count: 0 };

async function post(instance: Instance, request: SignedRequest): Promise<Answer> {
  for (let attempt = 1; ; attempt++) {
    let answer: Answer;
    try {
      const res = await fetch(`${instance.url}/webhooks`, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
      });
      answer = { status: res.status, body: (await res.json()) as { status?: string } };
    } catch {
      return { status: 'connection_failed' };
    }
    if (answer.status !== 503 || attempt === 20) return answer;
    unavailable.count++;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function inPool<T>(items: readonly T[], limit: number, work: (item: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i]!, i);
      }
    }),
  );
}

describe('two receiver processes on one PostgreSQL database', () => {
  const schema = randomSchema();
  const databaseUrl = `${testDatabaseUrl}${testDatabaseUrl.includes('?') ? '&' : '?'}schema=${schema}`;
  const table = `"${schema}".webhook_events`;
  let a: Instance;
  let b: Instance;
  let trapClient: Awaited<ReturnType<typeof connectAdmin>> | undefined;

  beforeAll(async () => {
    if (!fs.existsSync(mainJs)) {
      throw new Error(`${mainJs} is missing: run ./node_modules/.bin/turbo run build first`);
    }
    // Both start at the same moment: they race for the migration lock on a fresh schema.
    [a, b] = await Promise.all([startInstance(databaseUrl), startInstance(databaseUrl)]);
  }, 30_000);

  afterAll(async () => {
    await trapClient?.end();
    for (const instance of [a, b]) {
      if (instance !== undefined && instance.child.exitCode === null && instance.child.signalCode === null) {
        const exited = new Promise((resolve) => instance.child.once('exit', resolve));
        instance.child.kill('SIGKILL');
        await exited;
      }
    }
    await dropSchema(schema);
  });

  it('stores and processes every event once, and the survivor takes over a killed instance’s claims', async () => {
    const events = Array.from({ length: 360 }, (_, i) =>
      signedRequest({
        payload: completedEvent({
          userId: `user_${i % 12}`,
          courseId: `cors_${i % 3}`,
          lessonId: `lesn_${String(i).padStart(4, '0')}`,
        }),
      }),
    );
    const answers = new Map<string, Answer[]>(events.map((e) => [e.id, []]));
    const record = (id: string, answer: Answer) => {
      answers.get(id)!.push(answer);
    };

    const backendsOf = (pid: number) =>
      withAdminClient(
        async (c) =>
          (
            await c.query<{ state: string | null }>(
              'SELECT state FROM pg_stat_activity WHERE application_name = $1',
              [`webhook-receiver:${pid}`],
            )
          ).rows,
      );
    const claimsOf = (pid: number) =>
      withAdminClient(
        async (c) =>
          (
            await c.query<{ webhook_id: string; lease_until: string }>(
              `SELECT webhook_id, lease_until FROM ${table}
               WHERE claimed_by LIKE $1 AND status IN ('received', 'failed') ORDER BY webhook_id`,
              [`%:${pid}:%`],
            )
          ).rows,
      );

    // Phase 1: every event to both instances; even ones at the same moment, odd ones one after the
    // other; every fifth one a second time to the same instance. Processing runs on both meanwhile.
    const sendToBoth = async (e: SignedRequest, i: number) => {
      if (i % 2 === 0) {
        const [x, y] = await Promise.all([post(a, e), post(b, e)]);
        record(e.id, x);
        record(e.id, y);
      } else {
        record(e.id, await post(b, e));
        record(e.id, await post(a, e));
      }
      if (i % 5 === 0) record(e.id, await post(i % 2 === 0 ? a : b, e));
    };
    await inPool(events.slice(0, 160), 8, sendToBoth);

    // The trap: an open transaction holding the progress row of one event's lesson. Whichever
    // instance claims that event gets stuck inside its settle statement (handler done, settlement
    // not committed), still holding its whole batch of claims: that is the instance we kill.
    const trap = events[200]!;
    const trapPayload = JSON.parse(trap.body.toString()) as {
      data: { user: { id: string }; course: { id: string }; lesson: { id: string } };
    };
    trapClient = await connectAdmin();
    await trapClient.query('BEGIN');
    await trapClient.query(
      `INSERT INTO "${schema}".lesson_completions (user_id, course_id, lesson_id, completed_at)
       VALUES ($1, $2, $3, 0)`,
      [trapPayload.data.user.id, trapPayload.data.course.id, trapPayload.data.lesson.id],
    );

    // Phase 2: more duplicate-heavy load to both, the trap among it. Not awaited yet: copies of
    // events in the trapped batch wait on its row locks until the kill.
    const phase2 = inPool(events.slice(160, 300), 8, (e, i) => sendToBoth(e, 160 + i));

    // Find the instance stuck in the trap: the event's claim names its pid, and its settle
    // statement waits on our lock.
    const holderPid = await eventually(async () => {
      const rows = await withAdminClient(
        async (c) =>
          (
            await c.query<{ claimed_by: string | null; waiting: boolean }>(
              `SELECT e.claimed_by, EXISTS (
                 SELECT 1 FROM pg_stat_activity
                 WHERE application_name = 'webhook-receiver:' || substring(e.claimed_by from ':(\\d+):[^:]+$')
                   AND wait_event_type = 'Lock') AS waiting
               FROM ${table} e WHERE e.webhook_id = $1`,
              [trap.id],
            )
          ).rows,
      );
      const row = rows[0];
      if (row?.claimed_by == null || !row.waiting) return undefined;
      return Number(/:(\d+):[^:]+$/.exec(row.claimed_by)![1]);
    }, 15_000);
    const [victim, survivor] = holderPid === a.pid ? [a, b] : [b, a];
    expect(holderPid).toBe(victim.pid);

    const exited = new Promise((resolve) => victim.child.once('exit', resolve));
    victim.child.kill('SIGKILL');
    await exited;
    // What the victim leaves behind: its settlement is blocked on our lock, so nothing of it can
    // commit before the backends are gone.
    const caught = await claimsOf(victim.pid);
    expect(caught.map((c) => c.webhook_id)).toContain(trap.id);
    // A dead host's connections go away when TCP keepalive notices; a backend blocked on a lock
    // does not read its socket, so the test ends them itself (what keepalive would do).
    await withAdminClient((c) =>
      c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [
        `webhook-receiver:${victim.pid}`,
      ]),
    );
    await eventually(async () => ((await backendsOf(victim.pid)).length === 0 ? true : undefined));
    await trapClient.query('ROLLBACK');
    await phase2;

    // Phase 3: the rest to the survivor only (as a sender does once one instance is gone).
    await inPool(events.slice(300), 8, async (e) => {
      record(e.id, await post(survivor, e));
    });

    type Row = {
      webhook_id: string;
      status: string;
      attempts: number;
      deliveries_seen: number;
      processed_at: string | null;
      claimed_by: string | null;
    };
    const rows = await eventually(async () => {
      const all = await withAdminClient(
        async (c) =>
          (
            await c.query<Row>(
              `SELECT webhook_id, status, attempts, deliveries_seen, processed_at, claimed_by, last_error FROM ${table}`,
            )
          ).rows,
      );
      return all.length === events.length && all.every((r) => r.status === 'processed') ? all : undefined;
    }, 30_000);

    // Stored once: one row per event, every copy counted.
    expect(new Set(rows.map((r) => r.webhook_id)).size).toBe(events.length);
    for (const row of rows) {
      const got = answers.get(row.webhook_id)!;
      const ok = got.filter((x) => x.status === 200).length;
      const lost = got.filter((x) => x.status === 'connection_failed').length;
      expect(got.filter((x) => x.status !== 200 && x.status !== 'connection_failed')).toEqual([]);
      expect(row.deliveries_seen).toBeGreaterThanOrEqual(ok);
      expect(row.deliveries_seen).toBeLessThanOrEqual(ok + lost);
      // Exactly one copy created the row; the others were answered as duplicates.
      const accepted = got.filter((x) => x.status === 200 && x.body.status === 'accepted').length;
      expect(accepted).toBeLessThanOrEqual(1);
      if (lost === 0) expect(accepted).toBe(1);
      expect(row.processed_at).not.toBeNull();
      expect(row.claimed_by).toBeNull();
    }

    // Processed once: one claim per event, except the ones A died holding (claimed again by B
    // after the lease ran out: a second attempt, settled after the kill).
    const leaseEnds = new Map(caught.map((c) => [c.webhook_id, Number(c.lease_until)]));
    const byAttempts = (n: number) =>
      rows
        .filter((r) => r.attempts === n)
        .map((r) => r.webhook_id)
        .sort();
    expect(rows.filter((r) => r.attempts === 2 && !leaseEnds.has(r.webhook_id))).toEqual([]);
    expect(byAttempts(2)).toEqual([...leaseEnds.keys()]);
    expect(byAttempts(1)).toHaveLength(events.length - caught.length);
    for (const row of rows.filter((r) => leaseEnds.has(r.webhook_id))) {
      // Taken over only once A's lease had run out.
      expect(Number(row.processed_at)).toBeGreaterThanOrEqual(leaseEnds.get(row.webhook_id)!);
    }

    // One progress row per completed lesson: no duplicates, none missing.
    const progress = await withAdminClient(
      async (c) =>
        (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".lesson_completions`))
          .rows[0]!.n,
    );
    expect(progress).toBe(events.length);
    expect(survivor.child.exitCode).toBeNull();
  }, 120_000);
});

describe('a receiver process whose PostgreSQL is unreachable at start-up', () => {
  it('logs each retry, then exits 2 naming the cause without printing the URL', async () => {
    const child = spawn(process.execPath, [mainJs], {
      env: {
        PATH: process.env.PATH,
        WEBHOOK_SECRET: testSecret,
        PORT: '0',
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        DATABASE_URL: 'postgres://app:s3cret-password@127.0.0.1:1/webhooks',
        DATABASE_STARTUP_TIMEOUT_SECONDS: '1',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^webhook-receiver: Cannot prepare the PostgreSQL database \(schema "public"\) after \d+ attempts: connect ECONNREFUSED 127\.0\.0\.1:1\. Check DATABASE_URL/,
    );
    expect(stdout).toContain('database not reachable yet; retrying');
    expect(stdout + stderr).not.toContain('s3cret-password');
  }, 20_000);
});
