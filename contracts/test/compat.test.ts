// The compatibility gate itself is tested here: a schema change that rejects a committed valid
// example, or accepts a committed invalid one, must fail naming that file. The gate CI runs on
// the TypeBox source is test/examples.test.ts; this file proves the same rule through the
// generated JSON Schema, deliberately broken in two ways.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { knownEventTypes, validateEvent } from '@webhook-contracts/schema';
import { describe, expect, it } from 'vitest';
import { contractsDir } from '../scripts/artefacts.js';
import { exampleFiles } from '../scripts/exampleFiles.js';
import { ajvJudge, compatibilityProblems } from './support/compatibility.js';

const EVENT = 'course_lesson_interaction.completed';

interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  definitions?: Record<string, SchemaNode>;
  $ref?: string;
}

/** A fresh copy of the committed generated schema, to break in one place. */
function committedSchema(): SchemaNode {
  return JSON.parse(readFileSync(join(contractsDir, 'schemas', `${EVENT}.json`), 'utf8')) as SchemaNode;
}

/** `data.<name>` of the event schema (data is a $ref into definitions). */
function dataProperty(schema: SchemaNode, name: string): SchemaNode {
  const data = schema.definitions?.['CourseLessonInteraction'];
  const node = data?.properties?.[name];
  if (node === undefined) throw new Error(`the generated schema has no data.${name}`);
  return node;
}

function resolve(schema: SchemaNode, node: SchemaNode): SchemaNode {
  const name = node.$ref?.replace('#/definitions/', '');
  return name === undefined ? node : (schema.definitions?.[name] ?? node);
}

describe('the compatibility gate', () => {
  it('finds nothing to complain about in the committed schema (validateEvent or the generated JSON Schema)', () => {
    expect(compatibilityProblems(EVENT, (value) => validateEvent(value).kind === 'event')).toEqual([]);
    expect(compatibilityProblems(EVENT, ajvJudge(committedSchema()))).toEqual([]);
  });

  it('covers every catalog type: each has examples and none would change verdict', () => {
    for (const type of knownEventTypes) {
      const examples = exampleFiles().filter((f) => f.eventType === type && f.kind !== 'expectations');
      expect(examples.length, type).toBeGreaterThan(0);
      const schema = JSON.parse(
        readFileSync(join(contractsDir, 'schemas', `${type}.json`), 'utf8'),
      ) as object;
      expect(
        compatibilityProblems(type, (value) => validateEvent(value).kind === 'event'),
        type,
      ).toEqual([]);
      expect(compatibilityProblems(type, ajvJudge(schema)), type).toEqual([]);
    }
  });

  it('names the invalid refund example a loosened schema would accept (payment of any type)', () => {
    const schema = JSON.parse(
      readFileSync(join(contractsDir, 'schemas', 'refund.created.json'), 'utf8'),
    ) as SchemaNode & { definitions: Record<string, SchemaNode & { properties: Record<string, object> }> };
    const data = schema.definitions['RefundCreatedData'];
    expect(data?.properties['payment']).toBeDefined();
    if (data) data.properties['payment'] = {};
    expect(compatibilityProblems('refund.created', ajvJudge(schema))).toEqual([
      'invalid.payment-is-an-id.json is a committed invalid example but the schema now accepts it',
    ]);
  });

  it('names the valid example a tightened schema would reject (user.name no longer nullable)', () => {
    const schema = committedSchema();
    const user = resolve(schema, dataProperty(schema, 'user'));
    const name = user.properties?.['name'];
    expect(name?.type).toEqual(['string', 'null']);
    if (name) name.type = 'string';

    expect(compatibilityProblems(EVENT, ajvJudge(schema))).toEqual([
      'valid.user-name-null.json is a committed valid example but the schema now rejects it: this breaks compatibility with the sender',
    ]);
  });

  it('names the invalid example a loosened schema would accept (completed of any type)', () => {
    const schema = committedSchema();
    const completed = dataProperty(schema, 'completed');
    expect(completed.type).toBe('boolean');
    delete completed.type;

    expect(compatibilityProblems(EVENT, ajvJudge(schema))).toEqual([
      'invalid.completed-is-a-string.json is a committed invalid example but the schema now accepts it',
    ]);
  });
});
