// What a team relies on when it puts the built mock sender in CI in front of a receiver, checked
// against the built receiver (real processes, a temp SQLite file): the examples gate covers every
// catalog type, the answers' status field reaches the report and can fail the run, an invalid
// example is refused once with its contract pointer shown, a plain NDJSON replay is told apart into
// new and duplicate events, and `check` names the events it left in the store.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docsExamples, loadExamples, type SendSummary } from '@webhook-contracts/mock-sender';
import { knownEventTypes } from '@webhook-contracts/schema';
import {
  ReadApi,
  type RunningProgram,
  requireBuilt,
  runBuiltSender,
  startBuiltReceiver,
} from '@webhook-contracts/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readExpectations } from '../scripts/exampleFiles.js';
import { whsecSecret } from './support/referenceWebhook.js';

const apiToken = 'contracts-sender-adoption-token';
const env = { WEBHOOK_SECRET: whsecSecret };

interface Started {
  program: RunningProgram & { url: string };
  webhooks: string;
  readApi: ReadApi;
}

let dir: string;
const started: Started[] = [];

async function receiver(contractMode: 'strict' | 'quarantine'): Promise<Started> {
  const program = await startBuiltReceiver({
    WEBHOOK_SECRET: whsecSecret,
    DATABASE_URL: `sqlite:${join(dir, `${contractMode}.sqlite`)}`,
    CONTRACT_MODE: contractMode,
    RECEIVER_API_TOKEN: apiToken,
  });
  const running = {
    program,
    webhooks: `${program.url}/webhooks`,
    readApi: new ReadApi(program.url, apiToken),
  };
  started.push(running);
  return running;
}

const jsonLines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

let strict: Started;
let quarantine: Started;

beforeAll(async () => {
  requireBuilt();
  dir = mkdtempSync(join(tmpdir(), 'contracts-sender-adoption-'));
  [strict, quarantine] = await Promise.all([receiver('strict'), receiver('quarantine')]);
});

afterAll(async () => {
  const codes = await Promise.all(started.map(async (r) => (await r.program.stop()).code));
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  expect(codes).toEqual(started.map(() => 0));
});

describe('the built sender in a CI gate, against the built receiver', () => {
  it('sends the examples of every catalog type by default and says which types it sent', async () => {
    const report = join(dir, 'examples.jsonl');
    const run = await runBuiltSender(
      [
        'send',
        '--to',
        strict.webhooks,
        '--all-examples',
        '--retry-schedule',
        '0.2',
        '--report',
        report,
        '--json',
      ],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as SendSummary;
    const examples = docsExamples(loadExamples());
    expect(summary).toMatchObject({ sent: examples.length, delivered: examples.length, failed: 0 });
    expect(Object.keys(summary.byType).sort()).toEqual([...knownEventTypes].sort());
    // Every valid example of a known type is stored as new, and the report says so line by line.
    expect(summary.answers).toEqual({ accepted: examples.length });
    expect(jsonLines(report).every((line) => line['answer'] === 'accepted')).toBe(true);
    const text = await runBuiltSender(['send', '--to', strict.webhooks, '--retry-schedule', '0.2'], env);
    expect(text.stdout).toMatch(new RegExp(`^types: +${knownEventTypes.length} types: `, 'm'));
    expect(text.stdout.split('\n').length).toBeLessThan(20);
  });

  it('fails the run with --fail-on quarantined when a quarantining receiver quietly kept an off-contract event', async () => {
    const args = ['send', '--to', quarantine.webhooks, '--example', 'invalid.completed-is-a-string'];
    const lenient = await runBuiltSender([...args, '--json'], env);
    expect(lenient.code, lenient.stderr).toBe(0);
    expect((JSON.parse(lenient.stdout) as SendSummary).answers).toEqual({ quarantined: 1 });

    const report = join(dir, 'quarantined.jsonl');
    const gated = await runBuiltSender([...args, '--fail-on', 'quarantined', '--report', report], env);
    expect(gated.code, gated.stderr).toBe(1);
    expect(gated.stdout).toMatch(/^answers: +quarantined=1$/m);
    expect(gated.stdout).toMatch(/^fail-on: +1 deliveries answered quarantined: the run fails$/m);
    expect(jsonLines(report)).toEqual([expect.objectContaining({ status: 200, answer: 'quarantined' })]);
  });

  it('does not retry an invalid example a strict receiver refused, and shows the contract pointer', async () => {
    // The default schedule (10, 20, 40 s) would hold this run for 70 s if the 422 were retried.
    const name = 'invalid.completed-is-a-string';
    const [pointer] = readExpectations('course_lesson_interaction.completed')[`${name}.json`] ?? [];
    expect(pointer).toBe('/data/completed');
    const run = await runBuiltSender(['send', '--to', strict.webhooks, '--example', name], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      '1 invalid example sent to be refused: a 4xx answer is final for it, not retried',
    );
    expect(run.stderr).not.toMatch(/^retry /m);
    expect(run.stdout).toMatch(/^attempts: +1 \(422=1\)$/m);
    expect(run.stdout).toMatch(/^ +422: error code contract_violation: \/data\/completed: .+$/m);
  });

  it('replays plain {webhook_id, body} lines, new the first time and duplicates the second', async () => {
    const ids = ['msg_adoptionPlainReplay001', 'msg_adoptionPlainReplay002'];
    const [payment, refund] = ['payment.succeeded', 'refund.created'].map((type) => {
      const example = docsExamples(loadExamples()).find((e) => e.event === type);
      return JSON.parse(String(example?.raw)) as Record<string, unknown>;
    });
    const file = join(dir, 'own-store.ndjson');
    writeFileSync(
      file,
      // One body as a JSON value, one as the exact text the team's service stored.
      `${JSON.stringify({ webhook_id: ids[0], body: { ...payment, id: ids[0] } })}\n` +
        `${JSON.stringify({ webhook_id: ids[1], body: JSON.stringify({ ...refund, id: ids[1] }, null, 2) })}\n`,
    );
    const replay = () =>
      runBuiltSender(
        ['replay', '--from', file, '--to', strict.webhooks, '--retry-schedule', '0.2', '--json'],
        env,
      );
    const first = await replay();
    expect(first.code, first.stderr).toBe(0);
    expect((JSON.parse(first.stdout) as SendSummary).novelty).toEqual({ new: 2, duplicate: 0, untold: 0 });
    const second = await replay();
    expect((JSON.parse(second.stdout) as SendSummary).novelty).toEqual({ new: 0, duplicate: 2, untold: 0 });
    for (const id of ids) expect((await strict.readApi.event(id))?.deliveries_seen, id).toBe(2);

    writeFileSync(file, `${JSON.stringify({ webhook_id: ids[0], body: {} })}\n{"webhook_id":"msg_x"}\n`);
    const bad = await replay();
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^mock-sender: line 2 is not an exported event/);
  });

  it('passes check and names the events it left in the store, each of them stored', async () => {
    const run = await runBuiltSender(['check', '--to', strict.webhooks, '--json'], env);
    expect(run.code, run.stdout).toBe(0);
    const report = JSON.parse(run.stdout) as { stored: { webhook_id: string; type: string }[] };
    expect(report.stored.map((s) => s.type)).toContain('mock_sender_check.unknown_type');
    for (const { webhook_id, type } of report.stored) {
      expect((await strict.readApi.event(webhook_id))?.type, webhook_id).toBe(type);
    }
    const text = await runBuiltSender(['check', '--to', strict.webhooks], env);
    expect(text.stdout).toMatch(
      /^left in the target's store \(answered 2xx\): 5 events of type .*mock_sender_check\.unknown_type ×1; webhook-ids msg_/m,
    );
  });
});
