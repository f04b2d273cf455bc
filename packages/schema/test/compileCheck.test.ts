// The generated yes/no check is the fast path of every validation, so it must never accept what Ajv
// rejects. Checked on every committed example and on thousands of one-field mutations of the valid
// ones (each field removed, each value replaced by one of another type or an off-contract string).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { type Check, compileCheck } from '../src/compileCheck.js';
import { Envelope, eventSchemas, isDateTime } from '../src/index.js';
import { withDefinitions } from '../src/withDefinitions.js';

// Compiling Ajv for all 41 types takes seconds on a loaded machine.
const AJV_TIMEOUT = 60_000;

const examplesDir = join(dirname(fileURLToPath(import.meta.url)), '../../../contracts/examples');

// Ajv as the contract configures it, fail-fast: the reference verdict.
const ajv = new Ajv({ strict: true });
ajvFormats.default(ajv);
ajv.addFormat('date-time', { type: 'string', validate: isDateTime });

interface Pair {
  check: Check;
  ajv: (value: unknown) => boolean;
}

function pair(schema: object): Pair {
  const plain = withDefinitions(schema);
  const check = compileCheck(plain);
  if (check === undefined) throw new Error('the contract schema left the subset compileCheck supports');
  const validate = ajv.compile(plain);
  return { check, ajv: (value) => validate(value) };
}

const schemas = new Map<string, object>(eventSchemas.map((s) => [s.properties.type.const, s]));
const pairs = new Map<string, Pair>();
const pairOf = (type: string): Pair => {
  let found = pairs.get(type);
  if (found === undefined) {
    found = pair(schemas.get(type) ?? Envelope);
    pairs.set(type, found);
  }
  return found;
};

function examples(): { type: string; file: string; value: unknown }[] {
  const out: { type: string; file: string; value: unknown }[] = [];
  for (const type of readdirSync(examplesDir).sort()) {
    for (const file of readdirSync(join(examplesDir, type)).sort()) {
      if (!file.endsWith('.json') || file === 'expectations.json') continue;
      out.push({ type, file, value: JSON.parse(readFileSync(join(examplesDir, type, file), 'utf8')) });
    }
  }
  return out;
}

/** Every one-field change of `value`: each property removed, each value swapped for wrong ones. */
function* mutations(value: unknown): Generator<unknown> {
  const wrong = [null, 1.5, 'not-a-known-value', true, {}, []];
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      for (const inner of mutations(value[i])) yield value.map((v, j) => (j === i ? inner : v));
    }
    return;
  }
  if (typeof value !== 'object' || value === null) {
    for (const w of wrong) if (w !== value) yield w;
    if (typeof value === 'string') yield '2025-13-01T00:00:00Z';
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const { [key]: _, ...rest } = record;
    yield rest;
    for (const inner of mutations(record[key])) yield { ...record, [key]: inner };
  }
}

describe('compileCheck', () => {
  it('compiles every event schema and the envelope (no type falls back to Ajv alone)', () => {
    for (const schema of [...eventSchemas, Envelope])
      expect(compileCheck(withDefinitions(schema))).toBeTypeOf('function');
  });

  it(
    'agrees with Ajv on every committed example, valid and invalid',
    () => {
      const all = examples();
      expect(all.length).toBeGreaterThan(100);
      for (const { type, file, value } of all) {
        const { check, ajv: reference } = pairOf(type);
        expect(check(value), `${type}/${file}`).toBe(reference(value));
      }
    },
    AJV_TIMEOUT,
  );

  it(
    'never accepts a one-field mutation of a valid example that Ajv rejects',
    () => {
      let rejected = 0;
      let tried = 0;
      for (const { type, file, value } of examples().filter((e) => e.file.startsWith('valid.'))) {
        const { check, ajv: reference } = pairOf(type);
        for (const mutated of mutations(value)) {
          tried += 1;
          const verdict = reference(mutated);
          if (!verdict) rejected += 1;
          if (check(mutated) !== verdict) {
            expect.fail(
              `${type}/${file}: check ${String(!verdict)}, Ajv ${String(verdict)} for ${JSON.stringify(mutated).slice(0, 300)}`,
            );
          }
        }
      }
      // The mutations reach the contract: most of them break it.
      expect(tried).toBeGreaterThan(10_000);
      expect(rejected).toBeGreaterThan(tried / 2);
    },
    AJV_TIMEOUT,
  );

  it('answers undefined for a keyword outside its subset, so Ajv alone decides', () => {
    expect(compileCheck({ type: 'string', minLength: 3 })).toBeUndefined();
    expect(compileCheck({ type: 'object', additionalProperties: false })).toBeUndefined();
    expect(compileCheck({ type: 'string', format: 'email' })).toBeUndefined();
  });

  it('rejects numbers JSON cannot carry, as Ajv does', () => {
    const check = compileCheck({ type: 'number' });
    expect([check?.(1.5), check?.(Number.NaN), check?.(Number.POSITIVE_INFINITY), check?.('1')]).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });

  it('follows a definition that refers to itself', () => {
    const check = compileCheck({
      $ref: '#/definitions/Node',
      definitions: {
        Node: {
          type: 'object',
          required: ['name'],
          properties: {
            name: { type: 'string' },
            children: { type: 'array', items: { $ref: '#/definitions/Node' } },
          },
        },
      },
    });
    expect(check?.({ name: 'a', children: [{ name: 'b', children: [] }] })).toBe(true);
    expect(check?.({ name: 'a', children: [{ children: [] }] })).toBe(false);
  });
});
