import { describe, expect, it } from 'vitest';
import type { CheckReport, CheckResult } from './check.js';
import { formatCheckTable } from './formatCheckTable.js';

const valid = 'a valid signed event is accepted';
const tampered = 'a tampered body is rejected';

function result(
  name: string,
  got: CheckResult['got'],
  verdict: CheckResult['verdict'],
  reason?: string,
): CheckResult {
  const expected = name.endsWith('accepted') ? 'accept' : 'reject';
  return { case: name, expected, got, pass: verdict === 'pass', verdict, ...(reason ? { reason } : {}) };
}

function report(to: string, results: CheckResult[], diagnosis?: string): CheckReport {
  return {
    to,
    passed: results.every((r) => r.pass),
    results,
    ...(diagnosis ? { diagnosis } : {}),
    stored: [],
  };
}

describe('formatCheckTable', () => {
  it('ends by naming the events the check left in the target store, with their types', () => {
    const table = formatCheckTable({
      ...report('http://x/webhooks', [result(valid, 200, 'pass')]),
      stored: [
        { webhook_id: 'msg_a', type: 'course_lesson_interaction.completed' },
        { webhook_id: 'msg_b', type: 'course_lesson_interaction.completed' },
        { webhook_id: 'msg_c', type: 'mock_sender_check.unknown_type' },
      ],
    });
    expect(table.split('\n').at(-2)).toBe(
      "left in the target's store (answered 2xx): 3 events of type course_lesson_interaction.completed ×2, " +
        'mock_sender_check.unknown_type ×1; webhook-ids msg_a, msg_b, msg_c: delete them if they must not stay',
    );
    expect(formatCheckTable(report('http://x/webhooks', [result(valid, 401, 'fail')]))).not.toContain(
      'left in',
    );
  });

  it('pads each column to its widest cell and says when every case passed', () => {
    const table = formatCheckTable(
      report('http://127.0.0.1:3000/webhooks', [result(valid, 204, 'pass'), result(tampered, 401, 'pass')]),
    );
    expect(table).toBe(
      [
        'case                              expected  got  result  why',
        '--------------------------------  --------  ---  ------  ---',
        'a valid signed event is accepted  2xx       204  pass',
        'a tampered body is rejected       4xx       401  pass',
        '',
        'all 2 cases passed against http://127.0.0.1:3000/webhooks',
      ].join('\n'),
    );
  });

  it('says only the diagnosis and the count when nothing answered', () => {
    const down = 'connection refused: is the receiver running at http://127.0.0.1:9/webhooks?';
    const table = formatCheckTable(
      report(
        'http://127.0.0.1:9/webhooks',
        [result(valid, 'connection_error', 'fail', 'connect ECONNREFUSED 127.0.0.1:9')],
        down,
      ),
    );
    expect(table).toBe(`${down}\n\n1 of 1 cases FAILED against http://127.0.0.1:9/webhooks`);
  });

  it('counts the inconclusive cases beside the failures, with each reason in its row', () => {
    const table = formatCheckTable(
      report('http://127.0.0.1:3000/wrong', [
        result(valid, 404, 'fail', 'error code not_found'),
        result(tampered, 404, 'inconclusive'),
      ]),
    );
    expect(table).toMatch(/^a valid signed event is accepted\s+2xx\s+404\s+FAIL\s+error code not_found$/m);
    expect(table).toMatch(/^a tampered body is rejected\s+4xx\s+404\s+INCONCLUSIVE$/m);
    expect(table.split('\n').at(-1)).toBe(
      '2 of 2 cases FAILED against http://127.0.0.1:3000/wrong (1 inconclusive)',
    );
  });
});
