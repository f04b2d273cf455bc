import { describe, expect, it } from 'vitest';
import { failureReason, MAX_REASON_CHARS } from './failureReason.js';

const response = (body: string) => ({ kind: 'response' as const, status: 400, body, latencyMs: 1 });

describe('failureReason', () => {
  it("names the receiver's error code from the common error shape", () => {
    expect(failureReason(response('{"error":{"code":"no_matching_signature","message":"m"}}'))).toBe(
      'error code no_matching_signature',
    );
    expect(failureReason(response('\n \t\r{"error":{"code":"invalid_payload"}}\n'))).toBe(
      'error code invalid_payload',
    );
  });

  it('shows the body instead when the code is missing, empty or not a string', () => {
    for (const body of [
      '{"error":{"code":""}}',
      '{"error":{"code":5}}',
      '{"error":{}}',
      '{"other":1}',
      '{oops',
    ]) {
      expect(failureReason(response(body))).toBe(`body: ${body}`);
    }
  });

  it('collapses whitespace, trims, and cuts the excerpt at 80 characters', () => {
    expect(failureReason(response('  not\n\n json \t at   all  '))).toBe('body: not json at all');
    expect(failureReason(response('x'.repeat(100)))).toBe(`body: ${'x'.repeat(80)}`);
  });

  it('says the body was empty when there is nothing to show', () => {
    expect(failureReason(response(''))).toBe('empty body');
    expect(failureReason(response(' \n '))).toBe('empty body');
  });

  it('gives the transport error when there was no response', () => {
    expect(
      failureReason({ kind: 'connection_error', message: 'connect ECONNREFUSED 127.0.0.1:1', latencyMs: 2 }),
    ).toBe('connect ECONNREFUSED 127.0.0.1:1');
  });
});

describe('failureReason with contract errors', () => {
  const violation = (details: unknown) =>
    response(JSON.stringify({ error: { code: 'contract_violation', message: 'off contract', details } }));

  it('adds the first pointer and its message from the answer’s details', () => {
    expect(
      failureReason(
        violation([
          { pointer: '/data/id', message: 'must be string' },
          { pointer: '/data/user', message: 'is required' },
        ]),
      ),
    ).toBe('error code contract_violation: /data/id: must be string');
    expect(failureReason(violation([{ pointer: '', message: 'must be object' }]))).toBe(
      'error code contract_violation: (the body): must be object',
    );
  });

  it('gives the code alone when details hold no pointer', () => {
    for (const details of [undefined, [], [{ parameter: 'limit', problem: 'too big' }], 'x', [null]]) {
      expect(failureReason(violation(details))).toBe('error code contract_violation');
    }
  });

  it('strips control characters and bounds what an untrusted receiver wrote', () => {
    const reason = failureReason(
      violation([{ pointer: '/data/\u001b[31mid', message: `must\r\nbe ${'x'.repeat(500)}` }]),
    );
    expect(reason.length).toBe(MAX_REASON_CHARS);
    expect(reason.startsWith('error code contract_violation: /data/ [31mid: must be xxx')).toBe(true);
    expect(reason.endsWith('…')).toBe(true);
    expect(failureReason(response('\u0007ring\u001b[2Jclear'))).toBe('body: ring [2Jclear');
    expect(failureReason({ kind: 'connection_error', message: 'socket\nhang up', latencyMs: 1 })).toBe(
      'socket hang up',
    );
  });
});
