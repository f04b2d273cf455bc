// End to end, real processes only: the built receiver on a temp SQLite file, the built mock sender
// sending every docs example and 200 seeded generated events, then the receiver's read API checked
// against the sender's own delivery report and against progress computed from the sent payloads,
// and finally the sender's conformance check against the same receiver.
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEvents } from '@webhook-contracts/mock-sender';
import type { EventRecord } from '@webhook-contracts/schema';
import {
  eventually,
  expectedProgress,
  normaliseProgress,
  ReadApi,
  type RunningProgram,
  requireBuilt,
  requireFresh,
  runBuiltSender,
  startBuiltReceiver,
} from '@webhook-contracts/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractsDir } from '../scripts/artefacts.js';
import { whsecSecret } from './support/referenceWebhook.js';

const GENERATED = 200;
const apiToken = 'contracts-e2e-read-token';

/** The type `--generate` sends by default, the one whose read model (progress) this test checks. */
const LESSON_TYPE = 'course_lesson_interaction.completed';

/** The payloads of the example files `--all-examples` sends, of every type: docs-page, openapi-example and valid.*. */
function validExamplePayloads(): unknown[] {
  const root = join(contractsDir, 'examples');
  const payloads: unknown[] = [];
  for (const event of readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)) {
    for (const file of readdirSync(join(root, event))) {
      if (file === 'docs-page.json' || file === 'openapi-example.json' || /^valid\..+\.json$/.test(file)) {
        payloads.push(JSON.parse(readFileSync(join(root, event, file), 'utf8')));
      }
    }
  }
  return payloads;
}

interface ReportLine {
  id: string;
  type: string;
  status: number | string;
  attempts: number;
  delivered: boolean;
}

describe('the end-to-end prerequisites', () => {
  it('fail with a message saying how to build when a dist file is missing', () => {
    expect(() => requireBuilt(['/nonexistent/apps/receiver/dist/main.js'])).toThrow(
      /\/nonexistent\/apps\/receiver\/dist\/main\.js do not exist: run `\.\/node_modules\/\.bin\/turbo run build`/,
    );
  });

  it('fail when a built program is older than a source file it is built from', () => {
    const dir = mkdtempSync(join(tmpdir(), 'contracts-stale-'));
    try {
      const program = join(dir, 'dist/main.js');
      mkdirSync(join(dir, 'dist'));
      mkdirSync(join(dir, 'src/http'), { recursive: true });
      for (const file of [program, join(dir, 'src/http/route.ts'), join(dir, 'src/http/route.test.ts')]) {
        writeFileSync(file, '');
      }
      const past = new Date(Date.now() - 60_000);
      utimesSync(join(dir, 'src/http/route.ts'), past, past);
      // A newer test file does not make the build stale; a newer source file does.
      expect(() => requireFresh(program, [join(dir, 'src')])).not.toThrow();
      utimesSync(program, past, new Date(Date.now() - 120_000));
      expect(() => requireFresh(program, [join(dir, 'src')])).toThrow(
        /dist\/main\.js is older than .*src\/http\/route\.ts: the build is stale, run `.*turbo run build`.*add `--force`/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the built sender against the built receiver', () => {
  let dir: string;
  let receiver: RunningProgram & { url: string };
  let readApi: ReadApi;
  let report: ReportLine[];
  let sendRun: { code: number | null; stdout: string; stderr: string };

  beforeAll(async () => {
    requireBuilt();
    dir = mkdtempSync(join(tmpdir(), 'contracts-e2e-'));
    receiver = await startBuiltReceiver({
      WEBHOOK_SECRET: whsecSecret,
      DATABASE_URL: `sqlite:${join(dir, 'receiver.sqlite')}`,
      CONTRACT_MODE: 'strict',
      RECEIVER_API_TOKEN: apiToken,
    });
    readApi = new ReadApi(receiver.url, apiToken);
    const reportFile = join(dir, 'report.jsonl');
    sendRun = await runBuiltSender(
      [
        'send',
        '--to',
        `${receiver.url}/webhooks`,
        '--all-examples',
        '--generate',
        String(GENERATED),
        '--seed',
        '1',
        '--report',
        reportFile,
        '--retry-schedule',
        '0.2,0.5',
        '--json',
      ],
      { WEBHOOK_SECRET: whsecSecret },
    );
    report = readFileSync(reportFile, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as ReportLine);
  });

  afterAll(async () => {
    const code = (await receiver?.stop())?.code;
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    expect(code, `the receiver did not shut down cleanly:\n${receiver?.output()}`).toBe(0);
  });

  it('delivers every example and generated event on the first attempt (exit 0)', () => {
    expect(sendRun.code, sendRun.stderr).toBe(0);
    const summary = JSON.parse(sendRun.stdout) as {
      sent: number;
      delivered: number;
      failed: number;
      seed: string;
    };
    expect(report.length).toBeGreaterThan(GENERATED);
    expect(summary).toMatchObject({ sent: report.length, delivered: report.length, failed: 0, seed: '1' });
    expect(report.every((line) => line.delivered && line.status === 200 && line.attempts === 1)).toBe(true);
    expect(new Set(report.map((line) => line.id)).size).toBe(report.length);
  });

  it('stores every reported id exactly once, and nothing else', async () => {
    const events = await readApi.allEvents();
    const stored = events.map((e) => e.webhook_id).sort();
    expect(stored).toEqual(report.map((line) => line.id).sort());
    expect(events.every((e) => e.deliveries_seen === 1)).toBe(true);
  });

  it('processes every stored event of a type it has a handler for, and keeps the others unhandled', async () => {
    const events = await eventually('every event settled', async () => {
      const all = await readApi.allEvents();
      return all.every((e) => e.status === 'processed' || e.status === 'unhandled') ? all : undefined;
    });
    expect(events).toHaveLength(report.length);
    const lessons = events.filter((e) => e.type === LESSON_TYPE);
    expect(lessons.length).toBeGreaterThan(GENERATED);
    expect(lessons.every((e) => e.status === 'processed')).toBe(true);
  });

  it('shows the lesson progress that the seed and the example files add up to', async () => {
    // What was sent, rebuilt from the sender's side: the valid example files on disk (what
    // --all-examples sends) and the generator's events for the same seed. Ids do not matter here.
    const sent = [...validExamplePayloads(), ...generateEvents({ seed: '1', count: GENERATED })];
    expect(report).toHaveLength(sent.length);
    const expected = expectedProgress(sent);
    // The docs examples all complete one lesson of one user; the generated ones spread over many.
    expect(expected.length).toBeGreaterThan(10);
    expect(normaliseProgress(await readApi.progress())).toEqual(expected);
  });

  it('stores each reported delivery with the payload that was sent under its id', async () => {
    for (const line of report.slice(0, 25)) {
      const event: EventRecord | undefined = await readApi.event(line.id);
      expect((event?.payload as { id?: string } | undefined)?.id, `GET /events/${line.id}`).toBe(line.id);
    }
  });

  it("passes the sender's conformance check (exit 0)", async () => {
    const check = await runBuiltSender(['check', '--to', `${receiver.url}/webhooks`, '--json'], {
      WEBHOOK_SECRET: whsecSecret,
    });
    const result = JSON.parse(check.stdout) as {
      passed: boolean;
      results: { case: string; pass: boolean }[];
    };
    expect(
      result.results.filter((r) => !r.pass).map((r) => r.case),
      check.stdout,
    ).toEqual([]);
    expect(result.passed).toBe(true);
    expect(check.code).toBe(0);
  });
});
