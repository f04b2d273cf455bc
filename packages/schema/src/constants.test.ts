import { describe, expect, it } from 'vitest';
import { eventTypeNames } from './constants.js';
import { knownEventTypes } from './knownEventTypes.js';

describe('constants', () => {
  it('names the same event types as the registry, in the same order', () => {
    expect([...eventTypeNames]).toEqual([...knownEventTypes]);
  });
});
