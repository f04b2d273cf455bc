import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver, type TestReceiver } from '../test-support/receivers.js';
import { SECRET } from '../test-support/recorder.js';
import { type CheckReport, check } from './check.js';
import { checkCaseNames } from './checkCases.js';
import { formatCheckTable } from './formatCheckTable.js';

let receiver: TestReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe('formatCheckTable', () => {
  it('prints a table with one row per case and a verdict', async () => {
    receiver = await startReceiver(SECRET, 'rejects-duplicates');
    const report = await check({ to: receiver.url, secret: SECRET, seed: 'check-test' });
    const table = formatCheckTable(report);
    expect(table.split('\n')).toHaveLength(checkCaseNames.length + 4);
    expect(table).toMatch(/the same webhook-id again \(a retry\) is accepted\s+2xx\s+409\s+FAIL/);
    expect(table).toContain(`1 of ${checkCaseNames.length} cases FAILED`);
  });

  it('pads each column to its widest cell and says when every case passed', () => {
    const report: CheckReport = {
      to: 'http://127.0.0.1:3000/webhooks',
      passed: true,
      results: [
        {
          case: 'a valid signed event is accepted',
          expected: 'accept',
          got: 204,
          pass: true,
          verdict: 'pass',
        },
        { case: 'a tampered body is rejected', expected: 'reject', got: 401, pass: true, verdict: 'pass' },
      ],
    };
    expect(formatCheckTable(report)).toBe(
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
    const report: CheckReport = {
      to: 'http://127.0.0.1:9/webhooks',
      passed: false,
      results: [
        {
          case: 'a valid signed event is accepted',
          expected: 'accept',
          got: 'connection_error',
          pass: false,
          verdict: 'fail',
          reason: 'connect ECONNREFUSED 127.0.0.1:9',
        },
      ],
      diagnosis: 'connection refused: is the receiver running at http://127.0.0.1:9/webhooks?',
    };
    expect(formatCheckTable(report)).toBe(
      'connection refused: is the receiver running at http://127.0.0.1:9/webhooks?\n\n' +
        '1 of 1 cases FAILED against http://127.0.0.1:9/webhooks',
    );
  });

  it('counts the inconclusive cases beside the failures', () => {
    const report: CheckReport = {
      to: 'http://127.0.0.1:3000/wrong',
      passed: false,
      results: [
        {
          case: 'a valid signed event is accepted',
          expected: 'accept',
          got: 404,
          pass: false,
          verdict: 'fail',
        },
        {
          case: 'a tampered body is rejected',
          expected: 'reject',
          got: 404,
          pass: false,
          verdict: 'inconclusive',
        },
      ],
    };
    const table = formatCheckTable(report);
    expect(table).toMatch(/^a tampered body is rejected\s+4xx\s+404\s+INCONCLUSIVE$/m);
    expect(table.split('\n').at(-1)).toBe(
      '2 of 2 cases FAILED against http://127.0.0.1:3000/wrong (1 inconclusive)',
    );
  });
});
