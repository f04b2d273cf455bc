import { afterEach, describe, expect, it } from 'vitest';
import { type Behaviour, startReceiver, type TestReceiver } from '../test-support/receivers.js';
import { SECRET } from '../test-support/recorder.js';
import { check } from './check.js';
import { checkCaseNames } from './checkCases.js';
import { formatCheckTable } from './formatCheckTable.js';

let receiver: TestReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function checkAgainst(behaviour: Behaviour) {
  receiver = await startReceiver(SECRET, behaviour);
  return check({ to: receiver.url, secret: SECRET, seed: 'check-test' });
}

const failing = (report: Awaited<ReturnType<typeof check>>) =>
  report.results.filter((r) => !r.pass).map((r) => r.case);

describe('check', () => {
  it('passes every case against a compliant receiver', async () => {
    const report = await checkAgainst('compliant');
    expect(failing(report)).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.results.map((r) => r.case)).toEqual(checkCaseNames);
    expect(report.results).toHaveLength(16);
    // Only the accept cases got through: valid, valid-among-decoys, the two re-formatted bodies,
    // unknown type (the duplicate is not new).
    expect(receiver!.accepted).toHaveLength(5);
    expect(report.diagnosis).toBeUndefined();
  });

  it('uses a fresh event id for every case except the duplicate', async () => {
    const report = await checkAgainst('compliant');
    expect(report.results.find((r) => r.case.startsWith('the same webhook-id'))!.got).toBe(200);
    expect(new Set(receiver!.accepted).size).toBe(receiver!.accepted.length);
  });

  it('fails every rejection case against a receiver that accepts any signature', async () => {
    const report = await checkAgainst('accepts-any-signature');
    expect(report.passed).toBe(false);
    expect(failing(report)).toEqual(checkCaseNames.filter((name) => name.endsWith('rejected')));
    expect(failing(report)).toContain('a list of only wrong v1 entries and a v2 entry is rejected');
  });

  it('fails the rejection cases when a receiver answers 500 to bad input', async () => {
    const report = await checkAgainst('answers-500-to-bad-input');
    expect(failing(report)).toEqual(checkCaseNames.filter((name) => name.endsWith('rejected')));
    expect(report.results.filter((r) => !r.pass).every((r) => r.got === 500)).toBe(true);
  });

  it('fails only the duplicate case when a receiver rejects a repeated webhook-id', async () => {
    const report = await checkAgainst('rejects-duplicates');
    expect(failing(report)).toEqual(['the same webhook-id again (a retry) is accepted']);
    expect(report.results[1]).toMatchObject({ expected: 'accept', got: 409, pass: false });
  });

  it('counts an unreachable endpoint as failing every case', async () => {
    receiver = await startReceiver(SECRET, 'compliant');
    const url = receiver.url;
    await receiver.close();
    receiver = undefined;
    const report = await check({ to: url, secret: SECRET });
    expect(report.passed).toBe(false);
    expect(new Set(report.results.map((r) => r.got))).toEqual(new Set(['connection_error']));
    expect(report.diagnosis).toBe(`connection refused: is the receiver running at ${url}?`);
    // Said once, not once per case.
    const table = formatCheckTable(report);
    expect(table.match(/connection refused/g)).toHaveLength(1);
    expect(table).toContain(`${checkCaseNames.length} of ${checkCaseNames.length} cases FAILED`);
  });

  it('fails a receiver that parses JSON before verifying, naming the mistake on each case', async () => {
    const report = await checkAgainst('json-first');
    expect(failing(report)).toEqual([
      'a valid event sent pretty-printed with a trailing newline is accepted',
      'a valid event written with \\u escapes and a reordered key is accepted',
    ]);
    for (const result of report.results.filter((r) => !r.pass)) {
      expect(result).toMatchObject({ got: 401, verdict: 'fail', reason: 'error code no_matching_signature' });
    }
    expect(report.diagnosis).toMatch(/verify the raw body bytes exactly as received, with no JSON parser/);
    expect(formatCheckTable(report)).toMatch(
      /pretty-printed.*\s2xx\s+401\s+FAIL\s+error code no_matching_signature/,
    );
  });

  it('says the path looks wrong when the valid event gets 404, and passes no reject case on a 404', async () => {
    const report = await checkAgainst('wrong-path');
    expect(report.passed).toBe(false);
    expect(report.diagnosis).toMatch(/^the valid event got 404: the path looks wrong/);
    const rejects = report.results.filter((r) => r.expected === 'reject');
    expect(rejects.length).toBeGreaterThan(0);
    expect(new Set(rejects.map((r) => r.verdict))).toEqual(new Set(['inconclusive']));
    expect(report.results.some((r) => r.pass)).toBe(false);
    expect(formatCheckTable(report)).toContain(`(${rejects.length} inconclusive)`);
  });

  it('names a 500 to a repeated delivery as the bug that makes Whop drop events', async () => {
    const report = await checkAgainst('answers-500-to-duplicates');
    expect(failing(report)).toEqual(['the same webhook-id again (a retry) is accepted']);
    expect(report.diagnosis).toBe(
      'answered 500 to a delivery it had already acknowledged: Whop retries 3 times then drops the event ' +
        '— a duplicate must get 2xx (look up the webhook-id, and answer 2xx when it is stored)',
    );
    expect(formatCheckTable(report)).toContain(report.diagnosis);
    // A 500 to a first delivery is not this bug.
    await receiver?.close();
    expect((await checkAgainst('answers-500-to-bad-input')).diagnosis ?? '').not.toMatch(
      /already acknowledged/,
    );
  });

  it('lists the events it left in the target store: each webhook-id answered 2xx, once, with its type', async () => {
    const report = await checkAgainst('compliant');
    expect(report.passed).toBe(true);
    expect(report.stored.map((s) => s.webhook_id)).toEqual(receiver?.accepted);
    expect(report.stored.map((s) => s.type)).toEqual([
      'course_lesson_interaction.completed',
      'course_lesson_interaction.completed',
      'course_lesson_interaction.completed',
      'course_lesson_interaction.completed',
      'mock_sender_check.unknown_type',
    ]);
    expect(formatCheckTable(report)).toMatch(
      /^left in the target's store \(answered 2xx\): 5 events of type course_lesson_interaction\.completed ×4, mock_sender_check\.unknown_type ×1; webhook-ids msg_/m,
    );
  });

  it('puts the reason beside each failed case', async () => {
    const report = await checkAgainst('answers-500-to-bad-input');
    const failed = report.results.filter((r) => !r.pass);
    expect(failed.length).toBeGreaterThan(0);
    expect(new Set(failed.map((r) => r.reason))).toEqual(new Set(['error code boom']));
  });

  it('prints a table with one row per case and a verdict', async () => {
    const report = await checkAgainst('rejects-duplicates');
    const table = formatCheckTable(report);
    // The rows, the header and its rule, a blank line, what was left in the store and the count.
    expect(table.split('\n')).toHaveLength(checkCaseNames.length + 5);
    expect(table).toMatch(/the same webhook-id again \(a retry\) is accepted\s+2xx\s+409\s+FAIL/);
    expect(table).toContain(`1 of ${checkCaseNames.length} cases FAILED`);
  });
});
