// Durable before acknowledged, seen from the kernel: the built receiver runs under
// `strace -f -y`, and every `200` it writes to a socket for a POST /webhooks must come after an
// fsync/fdatasync of a store file that finished after that request was read. Under concurrent load
// there must be fewer syncs than deliveries (group commit is real). The SQLite writer is a worker
// thread, so -f follows every thread; fds are one table per process, and -y names each fd's file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEvents } from '@webhook-contracts/mock-sender';
import { eventually, receiverMain, requireBuilt, startProgram } from '@webhook-contracts/test-kit';
import { afterAll, describe, expect, it } from 'vitest';
import { inPool, newAgent, post } from './support/httpClient.js';
import { newSecret, signedRawHeaders } from './support/signing.js';

const hasStrace = spawnSync('strace', ['-V']).status === 0;
if (!hasStrace) console.warn('\n!!! fsync-before-200: skipped: no strace (apt-get install strace) !!!\n');

const dir = mkdtempSync(join(tmpdir(), 'reliability-strace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface TraceEvent {
  kind: 'sync' | 'request' | 'ok';
  /** The socket (`socket:[inode]`) for requests and answers. */
  socket?: string;
  /** For requests: whether it is a POST /webhooks. */
  webhook?: boolean;
}

/**
 * Reads an `strace -f -y -o` log into the events that matter, in the order the kernel finished
 * them (a call split into `<unfinished ...>` and `<... resumed>` counts where it resumed; an
 * answer counts where its write started).
 */
function readTrace(file: string, storeDir: string): TraceEvent[] {
  const events: TraceEvent[] = [];
  const unfinished = new Map<string, string>();
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const m = /^(\d+)\s+(.*)$/.exec(raw);
    if (m === null) continue;
    const pid = m[1]!;
    let call = m[2]!;
    const resumed = /^<\.\.\. \w+ resumed>(.*)$/.exec(call);
    if (resumed !== null) {
      const head = unfinished.get(pid);
      unfinished.delete(pid);
      if (head === undefined) continue;
      call = head + resumed[1]!;
    } else if (call.endsWith('<unfinished ...>')) {
      const head = call.slice(0, -'<unfinished ...>'.length).trimEnd();
      // A write's bytes are known when it starts: count the answer there.
      if (/^(write|writev|sendto)\(/.test(head)) {
        const event = parse(head, storeDir);
        if (event?.kind === 'ok') events.push(event);
        continue;
      }
      unfinished.set(pid, head);
      continue;
    }
    const event = parse(call, storeDir);
    if (event !== undefined) events.push(event);
  }
  return events;
}

function parse(call: string, storeDir: string): TraceEvent | undefined {
  const m = /^(\w+)\(\d+<([^>]*)>(.*)$/.exec(call);
  if (m === null) return undefined;
  const [, name, fdPath, rest] = m as unknown as [string, string, string, string];
  if ((name === 'fsync' || name === 'fdatasync') && fdPath.startsWith(storeDir) && / = 0$/.test(rest)) {
    return { kind: 'sync' };
  }
  if (!fdPath.startsWith('socket:')) return undefined;
  if ((name === 'read' || name === 'recvfrom') && rest.includes('"')) {
    if (!/ = [1-9]\d*$/.test(rest)) return undefined;
    const webhook = rest.includes('"POST /webhooks ');
    const other = /"(GET|POST|PUT|DELETE|HEAD|OPTIONS|PATCH) \//.test(rest);
    return webhook || other ? { kind: 'request', socket: fdPath, webhook } : undefined;
  }
  if ((name === 'write' || name === 'writev' || name === 'sendto') && rest.includes('"HTTP/1.1 200 ')) {
    return { kind: 'ok', socket: fdPath };
  }
  return undefined;
}

/**
 * For each 200 answered to a POST /webhooks: whether a store sync finished between reading that
 * request and writing the answer. Also the syncs seen from the first such request to the last answer.
 */
function check(events: readonly TraceEvent[]): { answers: number; unsynced: number; syncs: number } {
  const lastRequest = new Map<string, { index: number; webhook: boolean }>();
  let lastSync = -1;
  let answers = 0;
  let unsynced = 0;
  let first = -1;
  let last = -1;
  for (const [index, e] of events.entries()) {
    if (e.kind === 'sync') lastSync = index;
    else if (e.kind === 'request') lastRequest.set(e.socket!, { index, webhook: e.webhook === true });
    else {
      const request = lastRequest.get(e.socket!);
      if (request === undefined || !request.webhook) continue;
      answers++;
      if (lastSync < request.index) unsynced++;
      if (first === -1) first = request.index;
      last = index;
    }
  }
  const syncs = events.filter((e, i) => e.kind === 'sync' && i > first && i < last).length;
  return { answers, unsynced, syncs };
}

async function runTraced(name: string, send: (url: string, secret: string) => Promise<void>) {
  requireBuilt([receiverMain]);
  const secret = newSecret();
  const storeDir = join(dir, name);
  const traceFile = join(dir, `${name}.strace`);
  const traced = await startProgram(
    [
      '-f',
      '-qq',
      '-y',
      '-s',
      '48',
      '-e',
      'trace=fsync,fdatasync,write,writev,sendto,read,recvfrom',
      '-o',
      traceFile,
      process.execPath,
      receiverMain,
    ],
    {
      command: 'strace',
      cleanEnv: true,
      env: {
        WEBHOOK_SECRET: secret,
        RECEIVER_API_TOKEN: 'strace-test-token',
        DATABASE_URL: `sqlite:${join(storeDir, 'store.sqlite')}`,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
      },
      timeoutMs: 60_000,
    },
  );
  // The receiver's own pid, from its listening line: strace's pid is the program that was spawned.
  const listening = traced
    .stdout()
    .split('\n')
    .find((line) => line.includes('webhook receiver listening'));
  const started = { url: traced.url, pid: (JSON.parse(listening ?? '{}') as { pid: number }).pid };
  try {
    await send(started.url, secret);
  } finally {
    // The receiver itself, not strace: it stops gracefully and strace exits with it.
    process.kill(started.pid, 'SIGTERM');
    await traced.exited;
  }
  return check(readTrace(traceFile, storeDir));
}

async function deliver(
  url: string,
  secret: string,
  body: Buffer,
  id: string,
  agent: ReturnType<typeof newAgent>,
) {
  const headers = Object.fromEntries(
    signedRawHeaders(secret, id, body).map(([k, v]) => [String(k), String(v)]),
  );
  const res = await post(`${url}/webhooks`, headers, body, agent);
  expect(res.status, res.body).toBe(200);
  expect(JSON.parse(res.body)).toMatchObject({ status: 'accepted' });
}

async function settled(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('webhook_events_settled_total{status="processed"} '));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}

describe.skipIf(!hasStrace)('fsync before 200 (built receiver under strace)', () => {
  it('answers each delivery, one at a time, only after a store fsync that followed its request', async () => {
    const events = [...generateEvents({ seed: 'strace-sequential', count: 6 })];
    const result = await runTraced('sequential', async (url, secret) => {
      const agent = newAgent(1);
      for (const [i, event] of events.entries()) {
        await deliver(url, secret, Buffer.from(JSON.stringify(event)), event.id, agent);
        // Let the processor settle this one first, so its commit cannot stand in for the next insert's.
        await eventually('event settled', async () => ((await settled(url)) === i + 1 ? true : undefined));
      }
      agent.destroy();
    });
    expect(result).toMatchObject({ answers: events.length, unsynced: 0 });
    // One sync per acknowledged insert and one more when the first commit starts the WAL:
    // settlements and claim counts commit without one (WAL frames reach the disk in order, so the
    // next insert's sync covers them). With a sync per settlement this is 2 per delivery.
    expect(result.syncs).toBeLessThanOrEqual(events.length + 1);
  });

  it('under concurrent load answers every delivery after a sync, with fewer syncs than deliveries', async () => {
    const events = [...generateEvents({ seed: 'strace-concurrent', count: 60 })];
    const result = await runTraced('concurrent', async (url, secret) => {
      const agent = newAgent(20);
      await inPool(events, 20, (event) =>
        deliver(url, secret, Buffer.from(JSON.stringify(event)), event.id, agent),
      );
      agent.destroy();
    });
    expect(result.answers).toBe(events.length);
    expect(result.unsynced).toBe(0);
    expect(result.syncs).toBeGreaterThan(0);
    expect(result.syncs).toBeLessThan(events.length);
  });
});
