import type { ErrorObject } from 'ajv';
import { describe, expect, it } from 'vitest';
import {
  boundText,
  contractErrorsFromAjv,
  formatContractError,
  maxContractErrorTextLength,
} from './ContractError.js';

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

describe('contractErrorsFromAjv on a nullable object (anyOf [object, null])', () => {
  const anyOf = ajvError({
    keyword: 'anyOf',
    instancePath: '/data/membership',
    schemaPath: '#/p/anyOf',
    params: {},
  });

  it('says "must be object or null" once when the value has neither type', () => {
    const errors = contractErrorsFromAjv([
      ajvError({
        keyword: 'type',
        instancePath: '/data/membership',
        schemaPath: '#/p/anyOf/0/type',
        params: { type: 'object' },
      }),
      ajvError({
        keyword: 'type',
        instancePath: '/data/membership',
        schemaPath: '#/p/anyOf/1/type',
        params: { type: 'null' },
      }),
      anyOf,
    ]);
    expect(errors).toEqual([{ pointer: '/data/membership', message: 'must be object or null' }]);
  });

  it('keeps only the errors inside the value when it is an object with a broken field', () => {
    const errors = contractErrorsFromAjv([
      ajvError({
        keyword: 'required',
        instancePath: '/data/membership',
        schemaPath: '#/p/anyOf/0/required',
        params: { missingProperty: 'id' },
      }),
      ajvError({
        keyword: 'type',
        instancePath: '/data/membership/status',
        schemaPath: '#/p/anyOf/0/properties/status/type',
        params: { type: 'string' },
      }),
      ajvError({
        keyword: 'type',
        instancePath: '/data/membership',
        schemaPath: '#/p/anyOf/1/type',
        params: { type: 'null' },
      }),
      anyOf,
    ]);
    expect(errors).toEqual([
      { pointer: '/data/membership/id', message: 'is required' },
      { pointer: '/data/membership/status', message: 'must be string' },
    ]);
  });
});

describe('contractErrorsFromAjv on an enum', () => {
  it('lists the allowed values, shortened past eight', () => {
    const few = ajvError({
      keyword: 'enum',
      instancePath: '/data/status',
      params: { allowedValues: ['paid', 'open', null] },
    });
    expect(contractErrorsFromAjv([few])).toEqual([
      { pointer: '/data/status', message: 'must be one of "paid", "open", null' },
    ]);
    const values = Array.from({ length: 10 }, (_, i) => `v${i}`);
    const many = ajvError({
      keyword: 'enum',
      instancePath: '/data/brand',
      params: { allowedValues: values },
    });
    expect(contractErrorsFromAjv([many])[0]?.message).toBe(
      'must be one of "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", … (10 values)',
    );
  });
});

describe('bounded contract errors', () => {
  it('cuts a pointer into a key the sender made 200 KB long', () => {
    const key = 'k'.repeat(200_000);
    const [error] = contractErrorsFromAjv([
      ajvError({ keyword: 'required', instancePath: `/data/${key}`, params: { missingProperty: 'name' } }),
    ]);
    expect(error?.pointer).toHaveLength(maxContractErrorTextLength);
    expect(error?.pointer.startsWith('/data/kkk')).toBe(true);
    expect(error?.pointer.endsWith('…')).toBe(true);
    expect(error?.message).toBe('is required');
  });

  it("cuts Ajv's own message when it is longer than the bound", () => {
    const [error] = contractErrorsFromAjv([
      ajvError({ keyword: 'custom', params: {}, message: `must not be ${'x'.repeat(1000)}` }),
    ]);
    expect(error?.message).toHaveLength(maxContractErrorTextLength);
  });

  it('leaves text within the bound alone and never splits a surrogate pair', () => {
    expect(boundText('/data/id', 8)).toBe('/data/id');
    // '😀' is two UTF-16 code units at 3–4: cutting after code unit 4 would split it.
    expect(boundText('abc😀def', 5)).toBe('abc…');
    expect(boundText('abcd😀', 5)).toBe('abcd…');
  });
});
