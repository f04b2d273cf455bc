// The sender against a flapping receiver: a test server answers each event's first attempts with
// 500, 503 + Retry-After, silence (a timeout) or a reset connection, then recovers. Every event must
// end delivered exactly once, each retry must wait what the schedule (or Retry-After) says, and the
// sender's report must count the attempts the server saw.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReportLine, SendSummary } from '@webhook-contracts/mock-sender';
import { runBuiltSender } from '@webhook-contracts/test-kit';
import { Webhook } from '@webhook-contracts/webhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { sizes } from './support/config.js';
import { newSecret } from './support/signing.js';

const secret = newSecret();
const webhook = new Webhook(secret);
const dir = mkdtempSync(join(tmpdir(), 'reliability-flap-'));
const reportFile = join(dir, 'report.jsonl');
let server: Server | undefined;

afterAll(async () => {
  if (server) {
    server.closeAllConnections();
    await new Promise((resolve) => server!.close(resolve));
  }
  rmSync(dir, { recursive: true, force: true });
});

type Failure = '500' | '503' | 'timeout' | 'reset';
const failures: readonly Failure[] = ['500', '503', 'timeout', 'reset'];
const schedule = [0.1, 0.2, 0.3, 0.4, 0.5];
const timeoutMs = 500;
const retryAfterSeconds = 1;
// The server's readings are taken when this (busy) test process gets to the request, up to a few
// tens of ms after it arrived; the check is that no retry skips its wait, not timing precision.
const clockSlackMs = 50;

/** How an event's first attempts fail: 0–4 failures of mixed kinds, fixed by its id. */
function planFor(id: string): Failure[] {
  const hash = createHash('sha256').update(id).digest();
  return Array.from({ length: hash[0]! % 5 }, (_, i) => failures[(hash[1]! + i) % failures.length]!);
}

interface Attempt {
  at: number;
  /** When the failure was sent (a 5xx written, a socket reset): the sender cannot know it sooner. */
  failedAt?: number;
  outcome: Failure | '200';
  verified: boolean;
}

describe('sender against a flapping receiver', () => {
  it(`delivers each of ${sizes.flapEvents} events exactly once, retrying on the schedule, and reports the attempts`, async () => {
    const attempts = new Map<string, Attempt[]>();
    server = createServer((req, res) => {
      const at = Date.now();
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const id = String(req.headers['webhook-id']);
        let verified = true;
        try {
          webhook.verify(req.headers, Buffer.concat(chunks));
        } catch {
          verified = false;
        }
        const list = attempts.get(id) ?? [];
        attempts.set(id, list);
        const outcome = planFor(id)[list.length] ?? '200';
        const attempt: Attempt = { at, outcome, verified };
        list.push(attempt);
        if (outcome === '500' || outcome === '503' || outcome === 'reset') attempt.failedAt = Date.now();
        if (outcome === '500') res.writeHead(500).end('{"error":{"code":"boom","message":"flapping"}}');
        else if (outcome === '503') res.writeHead(503, { 'retry-after': String(retryAfterSeconds) }).end();
        else if (outcome === 'reset') req.socket.destroy();
        else if (outcome === '200') res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        // 'timeout': say nothing; the sender gives up after its timeout and closes the socket.
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;

    const sender = runBuiltSender(
      [
        'send',
        '--to',
        `http://127.0.0.1:${port}/webhooks`,
        '--generate',
        String(sizes.flapEvents),
        '--seed',
        `reliability-flap-${randomUUID()}`,
        '--concurrency',
        '20',
        '--timeout',
        String(timeoutMs),
        '--retry-schedule',
        schedule.join(','),
        '--report',
        reportFile,
        '--no-progress',
        '--json',
      ],
      { WEBHOOK_SECRET: secret },
      { cleanEnv: true },
    );
    const result = await sender;
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as SendSummary;
    const lines = readFileSync(reportFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ReportLine);

    expect(summary.delivered).toBe(sizes.flapEvents);
    expect(lines).toHaveLength(sizes.flapEvents);
    expect(attempts.size).toBe(sizes.flapEvents);

    const tooEarly: string[] = [];
    const byOutcome: Record<string, number> = {};
    for (const line of lines) {
      const seen = attempts.get(line.id) ?? [];
      const plan = planFor(line.id);
      // Exactly one 2xx per webhook-id, after exactly the planned failures, and the report agrees.
      expect({
        id: line.id,
        delivered: line.delivered,
        status: line.status,
        attempts: line.attempts,
      }).toEqual({
        id: line.id,
        delivered: true,
        status: 200,
        attempts: plan.length + 1,
      });
      expect(seen.map((a) => a.outcome)).toEqual([...plan, '200']);
      expect(seen.every((a) => a.verified)).toBe(true);
      for (const [k, a] of seen.entries()) {
        byOutcome[a.outcome] = (byOutcome[a.outcome] ?? 0) + 1;
        const next = seen[k + 1];
        if (!next) continue;
        // The retry may not come before the failure was sent plus the scheduled (or asked) wait. A
        // timed-out attempt's failure is the sender's own timer, started before the request reached
        // this server by an unknown lag on a busy machine: only the wait is checked, from its arrival.
        const known = a.failedAt ?? a.at;
        const wait = a.outcome === '503' ? Math.max(schedule[k]!, retryAfterSeconds) : schedule[k]!;
        const minimum = wait * 1000;
        if (next.at - known < minimum - clockSlackMs)
          tooEarly.push(`${line.id} retry ${k + 1}: ${next.at - known} ms after the failure < ${minimum} ms`);
      }
    }
    expect(tooEarly).toEqual([]);
    // The sender's own tally of attempts matches what the server saw.
    expect(summary.attempts).toBe(Object.values(byOutcome).reduce((a, b) => a + b, 0));
    expect(summary.byStatus['500'] ?? 0).toBe(byOutcome['500'] ?? 0);
    expect(summary.byStatus['503'] ?? 0).toBe(byOutcome['503'] ?? 0);
    expect(summary.byStatus['timeout'] ?? 0).toBe(byOutcome['timeout'] ?? 0);
    expect(summary.byStatus['connection_error'] ?? 0).toBe(byOutcome['reset'] ?? 0);
    console.info(
      `flapping receiver: ${sizes.flapEvents} events, ${summary.attempts} attempts ` +
        `(${JSON.stringify(byOutcome)}), each delivered once, no retry early`,
    );
  });
});
