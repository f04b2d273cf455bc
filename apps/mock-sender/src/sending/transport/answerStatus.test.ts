import { describe, expect, it } from 'vitest';
import { ANSWER_STATUSES, answerStatus } from './answerStatus.js';

describe('answerStatus', () => {
  it('lists the statuses the contract declares for a 2xx answer', () => {
    expect([...ANSWER_STATUSES].sort()).toEqual(['accepted', 'duplicate', 'quarantined', 'unhandled']);
  });

  it("reads the answer's status field", () => {
    expect(answerStatus('{"status":"accepted","webhook_id":"msg_1"}')).toBe('accepted');
    expect(answerStatus('{"status":"quarantined","webhook_id":"msg_1","errors":[]}')).toBe('quarantined');
    expect(answerStatus(' {"ok":true, "status": "ignored"}\n')).toBe('ignored');
  });

  it('says none when the answer carries no string status', () => {
    for (const body of [
      '',
      'OK',
      '{"ok":true}',
      '{"status":3}',
      '{"status":"accepted"',
      'null',
      '"status"',
    ]) {
      expect(answerStatus(body), body).toBe('none');
    }
  });

  it('says other for a status that is not a short plain word', () => {
    for (const status of ['', 'x'.repeat(33), 'accepted\u001b[2J', 'two words', '\u202Edeliaf']) {
      expect(answerStatus(JSON.stringify({ status })), status).toBe('other');
    }
  });
});
