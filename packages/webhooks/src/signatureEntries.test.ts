import { describe, expect, it } from 'vitest';
import { parseSignatureEntries } from './signatureEntries.js';

describe('parseSignatureEntries', () => {
  it('reads every entry with its version, whatever the scheme', () => {
    expect(parseSignatureEntries('v1,abc= v1a,xy,z v2,q')).toEqual([
      { version: 'v1', signature: 'abc=' },
      { version: 'v1a', signature: 'xy,z' },
      { version: 'v2', signature: 'q' },
    ]);
  });

  it('drops the trailing comma of joined header lines and skips pieces without a comma', () => {
    expect(parseSignatureEntries('v1,abc=, junk  v1,def=')).toEqual([
      { version: 'v1', signature: 'abc=' },
      { version: 'v1', signature: 'def=' },
    ]);
  });
});
