import { describe, expect, it } from 'vitest';
import {
  capCollection,
  compileContractValidator,
  maxCollectedErrors,
  maxListedContractErrors,
} from './contractValidator.js';

const numbers = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('compileContractValidator', () => {
  const strings = compileContractValidator({ type: 'array', items: { type: 'string' } });

  it('answers valid for a matching value', () => {
    expect(strings(['a', 'b'])).toEqual({ kind: 'valid' });
  });

  it('lists the first 20 errors and counts every one while under the cap', () => {
    const result = strings(numbers(30));
    expect(result).toMatchObject({ kind: 'invalid', errorCount: 30, complete: true });
    if (result.kind !== 'invalid') return;
    expect(result.errors).toHaveLength(maxListedContractErrors);
    expect(result.errors[0]).toEqual({ pointer: '/0', message: 'must be string' });
    expect(result.errors[19]).toEqual({ pointer: '/19', message: 'must be string' });
  });

  it('stops collecting at maxCollectedErrors and says the count is not complete', () => {
    const result = strings(numbers(125_000));
    expect(result).toMatchObject({ kind: 'invalid', errorCount: maxCollectedErrors, complete: false });
    if (result.kind !== 'invalid') return;
    expect(result.errors.map((e) => e.pointer)).toEqual(numbers(20).map((i) => `/${i}`));
  });

  it("stops in a $ref'd definition whose errors are appended item by item", () => {
    const validate = compileContractValidator({
      type: 'array',
      items: { $ref: '#/definitions/Item' },
      definitions: {
        Item: { type: 'object', required: ['a'], properties: { a: { type: 'string' } } },
      },
    });
    const result = validate(Array.from({ length: 5000 }, () => ({})));
    expect(result).toMatchObject({ kind: 'invalid', errorCount: maxCollectedErrors, complete: false });
    if (result.kind !== 'invalid') return;
    expect(result.errors[0]).toEqual({ pointer: '/0/a', message: 'is required' });
  });

  it('drops a keyword error stopped before Ajv gave it its place, and keeps the others', () => {
    const validate = compileContractValidator({ type: 'array', items: { enum: ['a', 'b'] } });
    const result = validate(Array.from({ length: 3000 }, () => 'z'));
    // The 1000th error is appended, then the stop comes before its instancePath is filled in.
    expect(result).toMatchObject({ kind: 'invalid', errorCount: maxCollectedErrors - 1, complete: false });
    if (result.kind !== 'invalid') return;
    expect(result.errors[0]).toEqual({ pointer: '/0', message: 'must be one of "a", "b"' });
  });

  it('lets a union branch that passes win over one that stopped collecting', () => {
    const validate = compileContractValidator({
      anyOf: [
        { type: 'array', items: { type: 'string' } },
        { type: 'array', items: { type: 'number' } },
      ],
    });
    expect(validate(numbers(5000))).toEqual({ kind: 'valid' });
    const mixed = [...numbers(5000), true];
    expect(validate(mixed)).toMatchObject({ kind: 'invalid', complete: false });
  });
});

describe('capCollection', () => {
  it('adds a check after each place an error is added or appended', () => {
    const code =
      'if(vErrors === null){vErrors = [err0];}else {vErrors.push(err0);}errors++;' +
      'vErrors = vErrors === null ? v.errors : vErrors.concat(v.errors);errors = vErrors.length;';
    const capped = capCollection(code);
    expect(capped.split(`if(errors>=${maxCollectedErrors})`).length - 1).toBe(2);
  });

  it('refuses generated code it does not recognise instead of leaving it unbounded', () => {
    expect(() => capCollection('vErrors.push(err0);errors += 1;')).toThrow(/does not recognise/);
  });
});
