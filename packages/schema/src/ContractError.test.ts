import type { ErrorObject } from 'ajv';
import { describe, expect, it } from 'vitest';
import { contractErrorsFromAjv, formatContractError } from './ContractError.js';

function ajvError(partial: Partial<ErrorObject> & Pick<ErrorObject, 'keyword' | 'params'>): ErrorObject {
  return { instancePath: '', schemaPath: '#', ...partial };
}

describe('formatContractError', () => {
  it('joins pointer and message', () => {
    expect(formatContractError({ pointer: '/data/user/username', message: 'must be string' })).toBe(
      '/data/user/username: must be string',
    );
  });

  it('names the root explicitly instead of printing an empty pointer', () => {
    expect(formatContractError({ pointer: '', message: 'must be object' })).toBe('(root): must be object');
  });
});

describe('contractErrorsFromAjv', () => {
  it('escapes ~ and / in a missing property name per RFC 6901', () => {
    const errors = contractErrorsFromAjv([
      ajvError({ keyword: 'required', instancePath: '/data', params: { missingProperty: 'a/b~c' } }),
    ]);
    expect(errors).toEqual([{ pointer: '/data/a~1b~0c', message: 'is required' }]);
  });

  it('drops duplicate errors for the same pointer and message', () => {
    const error = ajvError({ keyword: 'type', instancePath: '/id', params: { type: 'string' } });
    expect(contractErrorsFromAjv([error, error])).toEqual([{ pointer: '/id', message: 'must be string' }]);
  });

  it("falls back to Ajv's own message for keywords without a custom one", () => {
    const error = ajvError({
      keyword: 'maxLength',
      instancePath: '/data/lesson/title',
      params: { limit: 120 },
      message: 'must NOT have more than 120 characters',
    });
    expect(contractErrorsFromAjv([error])).toEqual([
      { pointer: '/data/lesson/title', message: 'must NOT have more than 120 characters' },
    ]);
  });

  it('never returns an empty list for a failed validation', () => {
    expect(contractErrorsFromAjv(null)).toEqual([{ pointer: '', message: 'is invalid' }]);
  });
});
