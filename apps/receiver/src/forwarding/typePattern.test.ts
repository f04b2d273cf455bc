import { describe, expect, it } from 'vitest';
import { typeMatches } from './outbox/OutboxRoute.js';
import { parseTypePattern } from './typePattern.js';

describe('parseTypePattern', () => {
  it('reads an exact type and a prefix the way FORWARD_<KIND>_TYPES matches them', () => {
    expect(parseTypePattern('payment.succeeded')).toEqual({ exact: 'payment.succeeded' });
    expect(parseTypePattern('payment.*')).toEqual({ prefix: 'payment.' });
    expect(parseTypePattern('course_lesson_interaction.*')).toEqual({ prefix: 'course_lesson_interaction.' });
    // The same prefix the outbox routes use: payment.* takes payment.x, not paymentx.y.
    expect(typeMatches('payment.failed', ['payment.*'])).toBe(true);
    expect(typeMatches('paymentx.y', ['payment.*'])).toBe(false);
  });

  it('refuses what is not a type or a prefix, and a pattern over 200 characters', () => {
    for (const bad of [
      '',
      '*',
      '.*',
      'payment.',
      '.payment',
      'payment..x',
      'payment.*.x',
      'bad type',
      'a%b',
      'pay*',
    ]) {
      expect([bad, parseTypePattern(bad)]).toEqual([bad, null]);
    }
    expect(parseTypePattern('a'.repeat(200))).toEqual({ exact: 'a'.repeat(200) });
    expect(parseTypePattern('a'.repeat(201))).toBeNull();
  });
});
