import { describe, expect, it } from 'vitest';
import { closestNames } from './closestNames.js';

const names = [
  'docs-page',
  'openapi-example',
  'invalid.missing-id',
  'invalid.missing-data',
  'valid.not-completed',
];

describe('closestNames', () => {
  it('suggests the names a typo is close to, closest first', () => {
    expect(closestNames('docs-pag', names)).toEqual(['docs-page']);
    expect(closestNames('invalid.missing-ids', names)).toEqual([
      'invalid.missing-id',
      'invalid.missing-data',
    ]);
  });

  it('suggests names that contain what was typed', () => {
    expect(closestNames('missing', names)).toEqual(['invalid.missing-data', 'invalid.missing-id']);
  });

  it('suggests nothing for a name far from every candidate', () => {
    expect(closestNames('payment.succeeded', names)).toEqual([]);
  });
});
