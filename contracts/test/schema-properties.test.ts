// Property tests over the docs example: the contract stays open to additions and names the exact
// field when one is removed or retyped, whichever field it is.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateEvent } from '@webhook-contracts/schema';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contractsDir } from '../scripts/artefacts.js';

type JsonObject = Record<string, unknown>;

const docsExample = JSON.parse(
  readFileSync(join(contractsDir, 'examples/course_lesson_interaction.completed/docs-page.json'), 'utf8'),
) as JsonObject;

/** Pointers of every object in the example (where extra keys may be added). */
const objectPointers = [
  '',
  '/data',
  '/data/lesson',
  '/data/lesson/chapter',
  '/data/user',
  '/data/course',
  '/data/course/experience',
];
/** Every required key of the event (all keys of the docs example except company_id). */
const requiredPointers = [
  '/id',
  '/api_version',
  '/timestamp',
  '/type',
  '/data',
  '/data/id',
  '/data/completed',
  '/data/created_at',
  '/data/lesson',
  '/data/lesson/id',
  '/data/lesson/title',
  '/data/lesson/chapter',
  '/data/lesson/chapter/id',
  '/data/user',
  '/data/user/id',
  '/data/user/name',
  '/data/user/username',
  '/data/course',
  '/data/course/id',
  '/data/course/title',
  '/data/course/experience',
  '/data/course/experience/id',
];
/** Fields that must be non-null strings. */
const stringPointers = [
  '/id',
  '/data/id',
  '/data/lesson/id',
  '/data/lesson/title',
  '/data/lesson/chapter/id',
  '/data/user/id',
  '/data/user/username',
  '/data/course/id',
  '/data/course/experience/id',
];

function at(root: JsonObject, pointer: string): JsonObject {
  let node = root;
  for (const token of pointer.split('/').slice(1)) node = node[token] as JsonObject;
  return node;
}

function parentAndKey(pointer: string): [string, string] {
  const cut = pointer.lastIndexOf('/');
  return [pointer.slice(0, cut), pointer.slice(cut + 1)];
}

const knownKeys = new Set(
  requiredPointers
    .map((p) => parentAndKey(p)[1])
    .concat(['company_id', 'api_version_date', 'previous_attributes']),
);

describe('contract properties', () => {
  it('accepts any extra keys with any JSON values on any object', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...objectPointers),
        fc.string({ minLength: 1 }).filter((k) => !knownKeys.has(k) && k !== '__proto__'),
        fc.jsonValue(),
        (pointer, key, value) => {
          const payload = structuredClone(docsExample);
          at(payload, pointer)[key] = value;
          expect(validateEvent(payload).kind).toBe('event');
        },
      ),
    );
  });

  it('reports a removed required key at that key, and only there', () => {
    fc.assert(
      fc.property(fc.constantFrom(...requiredPointers.filter((p) => p !== '/type')), (pointer) => {
        const payload = structuredClone(docsExample);
        const [parent, key] = parentAndKey(pointer);
        delete at(payload, parent)[key];
        expect(validateEvent(payload)).toEqual({
          kind: 'invalid',
          errors: [{ pointer, message: 'is required' }],
          errorCount: 1,
          complete: true,
        });
      }),
      { numRuns: requiredPointers.length * 3 },
    );
  });

  it('reports a string field given any non-string value at that field', () => {
    const nonString = fc.oneof(
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string()),
      fc.object(),
    );
    fc.assert(
      fc.property(fc.constantFrom(...stringPointers), nonString, (pointer, value) => {
        const payload = structuredClone(docsExample);
        const [parent, key] = parentAndKey(pointer);
        at(payload, parent)[key] = value;
        expect(validateEvent(payload)).toEqual({
          kind: 'invalid',
          errors: [{ pointer, message: 'must be string' }],
          errorCount: 1,
          complete: true,
        });
      }),
    );
  });
});
