// Two BUILT receiver processes on one PostgreSQL schema, each fed by its own BUILT mock sender with
// the same seed (same events, same webhook-ids), duplicates and shuffling on, so every event reaches
// both instances several times, often at the same moment. Mid-run instance B is SIGKILLed while it
// holds processing claims. Afterwards: every event stored once and processed once, lesson progress
// equal to what the events add up to, delivery counts consistent with both senders' reports, and
// B's claims taken over by A only after their lease. Alongside the senders the test delivers a batch
// of its own to both instances at the same moment, reading every answer: exactly one copy of each
// event is `accepted`. Needs PostgreSQL (DATABASE_URL_TEST) and `./node_modules/.bin/turbo run build`
// first.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEvents, type ReportLine, type SendSummary } from '@webhook-contracts/mock-sender';
import type { CourseLessonInteractionCompleted, WebhookAnswer } from '@webhook-contracts/schema';
import {
  deliver,
  eventually,
  expectedProgress,
  lessonCompleted,
  normaliseProgress,
  ReadApi,
  type RunningProgram,
  requireBuilt,
  runBuiltSender,
  startBuiltReceiver,
} from '@webhook-contracts/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectSql,
  databaseUrlFor,
  dropSchema,
  receiverSessions,
  terminateReceiverSessions,
  testSchema,
  withSql,
} from './support/postgresDatabase.js';
import { referenceSigned, whsecSecret } from './support/referenceWebhook.js';

/** Distinct events; each sender delivers each of them twice (`--duplicates 2`). */
const EVENTS = 400;
const DELIVERIES = EVENTS * 2;
/**
 * Kill B once its sender has this many final deliveries: mid-run, with the rest still to come. Each
 * delivery left then fails only after the whole retry schedule (1.4 s, 16 at a time), so this is
 * late in the run to keep the test short.
 */
const KILL_AFTER = 560;
/**
 * Deliveries started per second by each sender. Unpaced, a sender finishes all 800 in about a
 * second, faster than the test can place a kill between two of them.
 */
const RATE = 150;
const LEASE_MS = 2000;
const apiToken = 'contracts-multi-instance-token';
/** Events the test delivers itself: each to both instances at once, then once more to one of them. */
const DIRECT_EVENTS = 40;

type Receiver = RunningProgram & { url: string };

interface Row {
  webhook_id: string;
  status: string;
  attempts: number;
  deliveries_seen: number;
  processed_at: string | null;
  claimed_by: string | null;
}

function readReport(file: string): ReportLine[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  // A line being written when we look has no closing brace yet: skip it until next time.
  return text
    .split('\n')
    .filter((line) => line.endsWith('}'))
    .map((line) => JSON.parse(line) as ReportLine);
}

interface DirectEvent {
  id: string;
  payload: CourseLessonInteractionCompleted;
  /** The `status` of each 200 answer, or `HTTP <status>: <body>` for anything else. */
  answers: string[];
}

/** Delivers `body` signed, retrying 503 ("busy, try again") as a sender does; the answer's status. */
async function deliverRetrying(receiver: Receiver, id: string, body: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const answer = await deliver(`${receiver.url}/webhooks`, referenceSigned(whsecSecret, id, body));
    if (answer.status === 200) return (JSON.parse(answer.text) as WebhookAnswer).status;
    if (answer.status !== 503 || attempt === 20) return `HTTP ${answer.status}: ${answer.text}`;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Each event to both instances at the same moment, then a third copy to one of them; 8 at a time. */
async function deliverToBoth(a: Receiver, b: Receiver): Promise<DirectEvent[]> {
  const events: DirectEvent[] = Array.from({ length: DIRECT_EVENTS }, (_, i) => ({
    id: `msg_direct_${String(i).padStart(4, '0')}`,
    payload: lessonCompleted({
      userId: `user_direct_${i % 4}`,
      courseId: 'cors_direct',
      lessonId: `lesn_direct_${String(i).padStart(4, '0')}`,
    }),
    answers: [],
  }));
  for (let start = 0; start < events.length; start += 8) {
    await Promise.all(
      events.slice(start, start + 8).map(async (event, j) => {
        const body = JSON.stringify(event.payload);
        event.answers.push(
          ...(await Promise.all([deliverRetrying(a, event.id, body), deliverRetrying(b, event.id, body)])),
        );
        event.answers.push(await deliverRetrying((start + j) % 2 === 0 ? a : b, event.id, body));
      }),
    );
  }
  return events;
}

describe('two built receivers on one PostgreSQL schema, fed by two mock senders', () => {
  const schema = testSchema('wc_mi');
  const table = `"${schema}".webhook_events`;
  const seed = `multi-instance-${Date.now()}`;
  let dir: string;
  let a: Receiver;
  let b: Receiver;

  beforeAll(async () => {
    requireBuilt();
    dir = mkdtempSync(join(tmpdir(), 'contracts-multi-instance-'));
    const env = {
      WEBHOOK_SECRET: whsecSecret,
      DATABASE_URL: databaseUrlFor(schema),
      DATABASE_POOL_SIZE: '4',
      PROCESSING_LEASE_MS: String(LEASE_MS),
      RECEIVER_API_TOKEN: apiToken,
      CONTRACT_MODE: 'strict',
    };
    // Started together on a fresh schema: they also race for the migration lock.
    [a, b] = await Promise.all([startBuiltReceiver(env), startBuiltReceiver(env)]);
  });

  afterAll(async () => {
    for (const receiver of [a, b]) await receiver?.kill();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    await dropSchema(schema);
  });

  it('stores and processes every event once when one instance is SIGKILLed mid-run', async () => {
    const reportA = join(dir, 'sender-a.jsonl');
    const reportB = join(dir, 'sender-b.jsonl');
    const sendTo = (receiver: Receiver, report: string) =>
      runBuiltSender(
        [
          'send',
          '--to',
          `${receiver.url}/webhooks`,
          '--generate',
          String(EVENTS),
          '--seed',
          seed,
          '--duplicates',
          '2',
          '--shuffle',
          '50',
          '--concurrency',
          '16',
          '--rate',
          String(RATE),
          '--retry-schedule',
          '0.2,0.4,0.8',
          '--report',
          report,
          '--no-progress',
          '--json',
        ],
        { WEBHOOK_SECRET: whsecSecret },
      );
    const senderA = sendTo(a, reportA);
    const senderB = sendTo(b, reportB);
    const directRun = deliverToBoth(a, b);

    // Kill B mid-run while it holds claims. Claiming and settling take milliseconds, so the test
    // makes the moment: a table lock on lesson_completions stops every settlement (both instances'
    // processors stop between claim and settle, their claims held; ingestion goes on), B is killed
    // once one of its sessions waits on that lock, and the lock is released once B's sessions are
    // gone. A's own settlement waits well under its lease and then commits. An instance processes
    // the rows it creates, and A may have won every race for a while, so B is given an event of its
    // own under the lock: its processor then has a settlement to start.
    await eventually(
      `sender B reported ${KILL_AFTER} final deliveries`,
      async () => (readReport(reportB).length >= KILL_AFTER ? true : undefined),
      30_000,
    );
    // Both instances are up until the kill: every direct copy gets an answer.
    const direct = await directRun;
    const bait = {
      id: 'msg_bait',
      payload: lessonCompleted({ userId: 'user_bait', courseId: 'cors_direct', lessonId: 'lesn_bait' }),
    };
    const pidB = b.child.pid!;
    const trap = await connectSql();
    let killedAt: number;
    let ackedBeforeKill: number;
    try {
      await trap.query('BEGIN');
      await trap.query(`LOCK TABLE "${schema}".lesson_completions IN EXCLUSIVE MODE`);
      expect(await deliverRetrying(b, bait.id, JSON.stringify(bait.payload))).toBe('accepted');
      await eventually(
        'receiver B blocked in a settlement',
        async () => ((await receiverSessions(pidB)).waitingForLock > 0 ? true : undefined),
        10_000,
      );
      await b.kill();
      killedAt = Date.now();
      const reportedAtKill = readReport(reportB);
      ackedBeforeKill = reportedAtKill.filter((l) => l.delivered).length;
      if (reportedAtKill.length >= DELIVERIES) {
        throw new Error(
          `sender B had finished all ${DELIVERIES} deliveries before the kill landed: lower RATE or KILL_AFTER`,
        );
      }
      await terminateReceiverSessions(pidB);
      await eventually('receiver B sessions gone', async () =>
        (await receiverSessions(pidB)).open === 0 ? true : undefined,
      );
    } finally {
      await trap.query('ROLLBACK');
      await trap.end();
    }
    const caught = await withSql(
      async (c) =>
        (
          await c.query<{ webhook_id: string; lease_until: string }>(
            `SELECT webhook_id, lease_until FROM ${table}
             WHERE claimed_by LIKE $1 AND status IN ('received', 'failed')`,
            [`%:${pidB}:%`],
          )
        ).rows,
    );

    const [runA, runB] = await Promise.all([senderA, senderB]);
    const linesA = readReport(reportA);
    const linesB = readReport(reportB);

    // Sender A: everything delivered to the surviving instance.
    expect(runA.code, runA.stderr).toBe(0);
    const summaryA = JSON.parse(runA.stdout) as SendSummary;
    expect(summaryA).toMatchObject({ sent: DELIVERIES, events: EVENTS, delivered: DELIVERIES, failed: 0 });
    expect(linesA).toHaveLength(DELIVERIES);
    expect(linesA.filter((l) => !l.delivered)).toEqual([]);
    const ids = [...new Set(linesA.map((l) => l.id))].sort();
    expect(ids).toHaveLength(EVENTS);

    // Sender B: same events, then its receiver died and the rest failed (exit 1).
    expect(runB.code, runB.stderr).toBe(1);
    const summaryB = JSON.parse(runB.stdout) as SendSummary;
    expect(linesB).toHaveLength(DELIVERIES);
    expect([...new Set(linesB.map((l) => l.id))].sort()).toEqual(ids);
    const deliveredB = linesB.filter((l) => l.delivered);
    expect(summaryB.delivered).toBe(deliveredB.length);
    expect(summaryB.failed).toBe(DELIVERIES - deliveredB.length);
    expect(summaryB.failed).toBeGreaterThan(0);
    expect(deliveredB.length).toBeGreaterThanOrEqual(ackedBeforeKill);
    // Every failure is the dead endpoint, after the whole retry schedule.
    for (const line of linesB.filter((l) => !l.delivered)) {
      expect(line).toMatchObject({ status: 'connection_error', attempts: 4 });
    }

    // Stored once, processed once: one row per id, all processed, nothing still claimed.
    const rows = await eventually(
      'every event processed',
      async () => {
        const all = await withSql(
          async (c) =>
            (
              await c.query<Row>(
                `SELECT webhook_id, status, attempts, deliveries_seen, processed_at, claimed_by
                 FROM ${table}`,
              )
            ).rows,
        );
        return all.length === EVENTS + DIRECT_EVENTS + 1 && all.every((r) => r.status === 'processed')
          ? all
          : undefined;
      },
      30_000,
    );
    const directIds = direct.map((e) => e.id);
    const allIds = [...ids, ...directIds, bait.id].sort();
    expect(rows.map((r) => r.webhook_id).sort()).toEqual(allIds);
    expect(rows.filter((r) => r.claimed_by !== null || r.processed_at === null)).toEqual([]);
    for (const line of deliveredB) expect(ids).toContain(line.id);

    // Deliveries: each row counts at least every copy a sender was told was delivered, and at most
    // every attempt either sender made (an attempt can be stored with its answer lost).
    const tally = new Map<string, { delivered: number; attempts: number }>();
    for (const line of [...linesA, ...linesB]) {
      const t = tally.get(line.id) ?? { delivered: 0, attempts: 0 };
      t.delivered += line.delivered ? 1 : 0;
      t.attempts += line.attempts;
      tally.set(line.id, t);
    }
    const senderRows = rows.filter((r) => tally.has(r.webhook_id));
    expect(senderRows).toHaveLength(EVENTS);
    const outOfRange = senderRows.filter((r) => {
      const t = tally.get(r.webhook_id)!;
      return r.deliveries_seen < t.delivered || r.deliveries_seen > t.attempts;
    });
    expect(outOfRange).toEqual([]);
    const seenTotal = senderRows.reduce((sum, r) => sum + r.deliveries_seen, 0);
    const acknowledged = linesA.length + deliveredB.length;
    expect(seenTotal).toBeGreaterThanOrEqual(acknowledged);
    // The copies A received alone (2 per event) and B's acknowledged ones are all counted.
    expect(seenTotal).toBeGreaterThanOrEqual(DELIVERIES + deliveredB.length);

    // The direct batch: every copy answered 200, exactly one of the three `accepted` (the one that
    // created the row; the copies racing it were told `duplicate`), and each copy counted.
    const seenOf = new Map(rows.map((r) => [r.webhook_id, r.deliveries_seen]));
    for (const event of direct) {
      expect(
        event.answers.filter((x) => x !== 'accepted' && x !== 'duplicate'),
        event.id,
      ).toEqual([]);
      expect(
        event.answers.filter((x) => x === 'accepted'),
        event.id,
      ).toEqual(['accepted']);
      expect(seenOf.get(event.id), event.id).toBe(3);
    }

    // Processed once: one claim per event, except those B died holding, which A claimed again only
    // after B's lease on them ran out.
    expect(caught.length).toBeGreaterThan(0);
    const leaseEnds = new Map(caught.map((c) => [c.webhook_id, Number(c.lease_until)]));
    expect(rows.filter((r) => r.attempts !== (leaseEnds.has(r.webhook_id) ? 2 : 1))).toEqual([]);
    for (const row of rows.filter((r) => leaseEnds.has(r.webhook_id))) {
      expect(Number(row.processed_at)).toBeGreaterThanOrEqual(leaseEnds.get(row.webhook_id)!);
      expect(Number(row.processed_at)).toBeGreaterThan(killedAt);
    }

    // Lesson progress: what the seed's events add up to, each completion once.
    const readApi = new ReadApi(a.url, apiToken);
    const expected = expectedProgress([
      ...generateEvents({ seed, count: EVENTS }),
      ...direct.map((e) => e.payload),
      bait.payload,
    ]);
    expect(normaliseProgress(await readApi.progress())).toEqual(expected);
    const completions = await withSql(
      async (c) =>
        (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".lesson_completions`))
          .rows[0]!.n,
    );
    expect(completions).toBe(expected.reduce((sum, p) => sum + p.completed_lessons, 0));
    // The survivor is still up, and its read API agrees with the database.
    expect(a.child.exitCode).toBeNull();
    const listed = await readApi.allEvents();
    expect(listed.map((e) => e.webhook_id).sort()).toEqual(allIds);

    console.info(
      `multi-instance: ${EVENTS} events x2 copies per sender; B killed after ${ackedBeforeKill} acknowledged ` +
        `deliveries holding ${caught.length} claims; sender B delivered ${deliveredB.length}/${DELIVERIES}; ` +
        `deliveries_seen total ${seenTotal}`,
    );
  }, 90_000);
});
