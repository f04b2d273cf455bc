// Crash: the mock sender delivers generated events while the receiver is SIGKILLed several times
// and restarted on the same store and port. Everything the sender was told was delivered must be
// stored exactly once and processed; with enough retries the sender delivers every event.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEvents, type ReportLine, type SendSummary } from '@webhook-contracts/mock-sender';
import {
  eventually,
  expectedProgress,
  normaliseProgress,
  ReadApi,
  runBuiltSender,
} from '@webhook-contracts/test-kit';
import { afterAll, describe, expect, it } from 'vitest';
import { sizes } from './support/config.js';
import { type ReceiverProcess, startReceiverProcess } from './support/processes.js';
import { newSecret } from './support/signing.js';

const secret = newSecret();
const apiToken = 'reliability-crash-token';
const dir = mkdtempSync(join(tmpdir(), 'reliability-crash-'));
const databaseUrl = `sqlite:${join(dir, 'crash.sqlite')}`;
const reportFile = join(dir, 'report.jsonl');
// A killed instance's claims are taken over after the lease: keep it short so the run ends soon.
const env = { PROCESSING_LEASE_MS: '2000' };
let receiver: ReceiverProcess | undefined;

afterAll(async () => {
  if (receiver && receiver.child.exitCode === null) {
    receiver.child.kill('SIGKILL');
    await receiver.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

function reportLines(): ReportLine[] {
  let text: string;
  try {
    text = readFileSync(reportFile, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.endsWith('}'))
    .map((line) => JSON.parse(line) as ReportLine);
}

describe('crash and restart', () => {
  it(`loses none of ${sizes.crashEvents} events while the receiver is SIGKILLed ${sizes.crashKills} times`, async () => {
    const count = sizes.crashEvents;
    const seed = `reliability-crash-${Date.now()}`;
    receiver = await startReceiverProcess({ secret, apiToken, databaseUrl, env });
    const { port, url } = receiver;
    const started = Date.now();
    const sender = runBuiltSender(
      [
        'send',
        '--to',
        `${url}/webhooks`,
        '--generate',
        String(count),
        '--seed',
        seed,
        '--concurrency',
        '50',
        '--retry-schedule',
        '0.2,0.4,0.8,1.6,3.2',
        '--timeout',
        '5000',
        '--report',
        reportFile,
        '--no-progress',
        '--json',
      ],
      { WEBHOOK_SECRET: secret },
      { cleanEnv: true },
    );

    const killedAt: number[] = [];
    for (let kill = 1; kill <= sizes.crashKills; kill++) {
      // Kill once the sender has finished another slice of the run: always mid-run, under load.
      const target = Math.floor((count * kill) / (sizes.crashKills + 1));
      await eventually(
        `sender reported ${target} deliveries before kill ${kill}`,
        () => (reportLines().length >= target ? true : undefined),
        60_000,
      );
      receiver.child.kill('SIGKILL');
      const exit = await receiver.exited;
      expect(exit.signal).toBe('SIGKILL');
      killedAt.push(reportLines().length);
      receiver = await startReceiverProcess({ secret, apiToken, databaseUrl, env, port });
      expect(receiver.port).toBe(port);
    }

    const result = await sender;
    const durationMs = Date.now() - started;
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as SendSummary;
    const lines = reportLines();

    // The sender's view: every event delivered in the end.
    expect(summary.delivered).toBe(count);
    expect(summary.failed).toBe(0);
    expect(lines).toHaveLength(count);
    expect(lines.filter((l) => l.delivered)).toHaveLength(count);

    // The receiver's view: each acknowledged event stored once, all processed.
    const stored = await eventually(
      'every stored event processed',
      async () => {
        const all = await new ReadApi(receiver!.url, apiToken).allEvents();
        return all.length === count && all.every((e) => e.status === 'processed') ? all : undefined;
      },
      60_000,
    );
    const storedIds = new Set(stored.map((e) => e.webhook_id));
    expect(storedIds.size).toBe(stored.length);
    const lost = lines.filter((l) => l.delivered && !storedIds.has(l.id));
    expect(lost).toEqual([]);
    expect(storedIds).toEqual(new Set(lines.map((l) => l.id)));
    // The sender gives each generated event a fresh webhook-id, but the data is the seed's.
    const events = [...generateEvents({ seed, count })];
    expect(normaliseProgress(await new ReadApi(receiver.url, apiToken).progress())).toEqual(
      expectedProgress(events),
    );

    const retried = lines.filter((l) => l.attempts > 1).length;
    const reclaimed = stored.filter((e) => e.attempts > 1).length;
    console.info(
      `crash: ${count} events, ${sizes.crashKills} SIGKILLs (after ${killedAt.join(', ')} reported deliveries), ` +
        `${summary.attempts} attempts, ${retried} events retried by the sender, ${reclaimed} re-claimed ` +
        `after a kill, 0 lost, ${Math.round(durationMs / 1000)} s`,
    );
  });
});
