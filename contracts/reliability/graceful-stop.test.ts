// Graceful stop: SIGTERM while signed deliveries pour in. Requests the receiver has started reading
// are finished (a slow body completed after the signal still gets its 200), everything it
// acknowledged is processed before it exits, and nothing is stored whose answer was lost.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEvents } from '@webhook-contracts/mock-sender';
import { eventually, ReadApi } from '@webhook-contracts/test-kit';
import { signedHeaders } from '@webhook-contracts/webhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { newAgent, post } from './support/httpClient.js';
import { type ReceiverProcess, startReceiverProcess } from './support/processes.js';
import { buildRequest, parseResponse } from './support/rawHttp.js';
import { newSecret, nowSeconds, signedRawHeaders } from './support/signing.js';

const secret = newSecret();
const apiToken = 'reliability-stop-token';
const dir = mkdtempSync(join(tmpdir(), 'reliability-stop-'));
const databaseUrl = `sqlite:${join(dir, 'stop.sqlite')}`;
const running: ReceiverProcess[] = [];

afterAll(async () => {
  for (const r of running) {
    if (r.child.exitCode === null && r.child.signalCode === null) {
      r.child.kill('SIGKILL');
      await r.exited;
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

const events = [...generateEvents({ seed: 'reliability-stop', count: 3000 })];
const bodyOf = (i: number) => Buffer.from(JSON.stringify(events[i % events.length]));

/** A request whose headers and first half of the body are sent now, the rest when asked. */
function slowRequest(port: number, id: string) {
  const body = bodyOf(7);
  const request = buildRequest('/webhooks', signedRawHeaders(secret, id, body), body);
  const split = request.length - Math.floor(body.length / 2);
  const socket: Socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  const closed = new Promise<string | null>((resolve) => {
    socket.on('error', (e) => resolve(e.message));
    socket.on('close', () => resolve(null));
  });
  socket.write(request.subarray(0, split));
  return {
    finish: () => socket.write(request.subarray(split)),
    answer: async () => {
      const error = await closed;
      return { error, response: parseResponse(Buffer.concat(chunks)) };
    },
  };
}

function listenerClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(true));
  });
}

describe('graceful stop', () => {
  it('finishes requests already read and processes every acknowledged event before exiting on SIGTERM', async () => {
    const first = await startReceiverProcess({ secret, apiToken, databaseUrl });
    running.push(first);
    const { port, url } = first;

    const acknowledged = new Set<string>();
    const failed = new Map<string, string>();
    let sent = 0;
    const agent = newAgent(40);
    const worker = async (w: number) => {
      for (let i = 0; i < 1_000_000; i++) {
        const id = `msg_stop_${w}_${i}`;
        const body = bodyOf(w * 100 + i);
        const headers = signedHeaders({ secret, id, timestamp: nowSeconds(), body });
        sent++;
        try {
          const res = await post(
            `${url}/webhooks`,
            { ...headers, 'content-type': 'application/json' },
            body,
            agent,
          );
          if (res.status === 200) acknowledged.add(id);
          else failed.set(id, `${res.status} ${res.body}`);
        } catch (error) {
          // Expected only once the receiver stops: a request it never read.
          failed.set(id, (error as Error).message);
          return;
        }
      }
    };
    const load = Promise.all(Array.from({ length: 40 }, (_, w) => worker(w)));

    const slow = [slowRequest(port, 'msg_stop_slow_1'), slowRequest(port, 'msg_stop_slow_2')];
    await eventually('load under way', () => (acknowledged.size >= 400 ? true : undefined));
    first.child.kill('SIGTERM');
    await eventually('listener closed after SIGTERM', async () =>
      (await listenerClosed(port)) ? true : undefined,
    );
    for (const s of slow) s.finish();
    const slowAnswers = await Promise.all(slow.map((s) => s.answer()));
    // A deadline, not a sleep: under keep-alive load the receiver once never exited at all.
    let deadline: NodeJS.Timeout | undefined;
    const exit = await Promise.race([
      first.exited,
      new Promise<never>((_, reject) => {
        deadline = setTimeout(
          () => reject(new Error(`the receiver did not exit within 30 s of SIGTERM:\n${first.output()}`)),
          30_000,
        );
      }),
    ]);
    clearTimeout(deadline);
    const exitedAt = Date.now();
    await load;
    agent.destroy();

    expect(exit).toEqual({ code: 0, signal: null });
    // Both slow requests were being read when the signal came: they were finished and answered.
    for (const a of slowAnswers) {
      expect(a.response?.status, a.error ?? '').toBe(200);
      expect(JSON.parse(a.response!.body.toString('utf8'))).toMatchObject({ status: 'accepted' });
      acknowledged.add((JSON.parse(a.response!.body.toString('utf8')) as { webhook_id: string }).webhook_id);
    }
    // Only connection errors (requests never read) once the receiver stopped; never an HTTP error.
    for (const [id, why] of failed) expect(`${id}: ${why}`).not.toMatch(/^\S+: \d{3} /);

    // Restart on the same store and look at what the stopped process left.
    const second = await startReceiverProcess({ secret, apiToken, databaseUrl });
    running.push(second);
    const stored = await new ReadApi(second.url, apiToken).allEvents();
    const storedIds = new Set(stored.map((e) => e.webhook_id));
    // Nothing acknowledged was lost, and nothing was stored whose answer the client did not get.
    expect(storedIds).toEqual(acknowledged);
    // Every acknowledged event was processed by the process that took it, before it exited.
    const late = stored.filter(
      (e) => e.status !== 'processed' || e.processed_at === null || Date.parse(e.processed_at) > exitedAt,
    );
    expect(late).toEqual([]);
    console.info(
      `graceful stop: ${sent} requests sent, ${acknowledged.size} acknowledged and processed before exit, ` +
        `${failed.size} refused or reset after the signal (none stored), 2 slow bodies finished after SIGTERM`,
    );
  });
});
