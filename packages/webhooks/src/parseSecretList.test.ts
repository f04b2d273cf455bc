import { describe, expect, it } from 'vitest';
import { WebhookConfigError } from './errors.js';
import { parseSecretList } from './parseSecretList.js';

describe('parseSecretList', () => {
  it('splits a comma-separated value into trimmed secrets', () => {
    expect(parseSecretList(' ws_new , whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toEqual([
      'ws_new',
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    ]);
  });

  it('drops the whitespace around the whole value, as an env file leaves it', () => {
    expect(parseSecretList('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\r\n')).toEqual([
      'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    ]);
  });

  it('drops empty entries left by stray commas', () => {
    expect(parseSecretList(',ws_a,,ws_b,')).toEqual(['ws_a', 'ws_b']);
  });

  it.each(['', '  ', ', ,'])('rejects %j, which holds no secret', (value) => {
    expect(() => parseSecretList(value)).toThrowError(WebhookConfigError);
    expect(() => parseSecretList(value)).toThrowError(/No webhook secret was given/);
  });
});
