import { describe, expect, it } from 'vitest';
import { query } from './query.ts';

describe('query', () => {
  it('keeps only the parameters that are set, escaped', () => {
    expect(query({ status: 'failed', type: '', cursor: undefined, user_id: 'a b&c' })).toBe(
      '?status=failed&user_id=a+b%26c',
    );
  });

  it('is empty when no parameter is set', () => {
    expect(query({ status: '', cursor: undefined })).toBe('');
  });
});
