// The committed JSON Schema and OpenAPI files are what other teams consume: they must be exactly
// what the TypeBox source generates, and plain Ajv (no TypeBox, no code of ours) loading them must
// judge every example the way validateEvent does.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ContractError,
  contractErrorsFromAjv,
  knownEventTypes,
  type ValidationResult,
  validateEvent,
} from '@webhook-contracts/schema';
import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import {
  artefacts,
  contractsDir,
  GENERATED_NOTE,
  JSON_SCHEMA_DIALECT,
  serialise,
} from '../scripts/artefacts.js';
import { exampleFiles } from '../scripts/exampleFiles.js';

const generated = artefacts();

function readCommitted(path: string): string {
  return readFileSync(join(contractsDir, path), 'utf8');
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readCommitted(path)) as Record<string, unknown>;
}

describe('generated files', () => {
  for (const { path, content } of generated) {
    it(`contracts/${path} matches what packages/schema generates`, () => {
      expect(
        readCommitted(path),
        `contracts/${path} is stale: run \`npm run generate\` and commit the result`,
      ).toBe(serialise(content));
    });
  }

  it('leaves no stale generated schema behind in contracts/schemas', () => {
    const committed = readdirSync(join(contractsDir, 'schemas'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => `schemas/${f}`)
      .sort();
    const expected = generated
      .map((a) => a.path)
      .filter((p) => p.startsWith('schemas/'))
      .sort();
    expect(committed, 'remove schemas no event generates, or run `npm run generate`').toEqual(expected);
  });

  it('marks every generated file as generated', () => {
    expect(readJson('schemas/course_lesson_interaction.completed.json')['$comment']).toBe(GENERATED_NOTE);
    expect(readJson('schemas/envelope.json')['$comment']).toBe(GENERATED_NOTE);
    const openapi = readJson('openapi.json');
    expect(openapi['x-generated']).toBe(GENERATED_NOTE);
    expect((openapi['info'] as { description: string }).description.startsWith(GENERATED_NOTE)).toBe(true);
  });

  it('never closes an object or constrains an ID with a pattern', () => {
    const text = readCommitted('schemas/course_lesson_interaction.completed.json');
    expect(text).not.toContain('"additionalProperties"');
    expect(text).not.toContain('"pattern"');
  });
});

describe('the generated JSON Schema under plain Ajv', () => {
  // Exactly what another team's CI would do: new Ajv + ajv-formats, one file, nothing else.
  function compile(path: string): ValidateFunction {
    const ajv = new Ajv({ allErrors: true });
    ajvFormats.default(ajv);
    return ajv.compile(readJson(path));
  }
  const envelopeSchema = compile('schemas/envelope.json');
  const eventSchemaCache = new Map<string, ValidateFunction>();
  const eventSchemaFor = (type: string): ValidateFunction | undefined => {
    if (!(knownEventTypes as readonly string[]).includes(type)) return undefined;
    let validate = eventSchemaCache.get(type);
    if (!validate) {
      validate = compile(`schemas/${type}.json`);
      eventSchemaCache.set(type, validate);
    }
    return validate;
  };

  it(`declares the draft-07 dialect that new Ajv() loads without extra meta-schemas`, () => {
    expect(readJson('schemas/course_lesson_interaction.completed.json')['$schema']).toBe(JSON_SCHEMA_DIALECT);
  });

  // The same decision validateEvent makes, from the generated files alone.
  function plainVerdict(value: unknown): ValidationResult | { kind: 'invalid'; errors: ContractError[] } {
    const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
    const eventSchema = typeof type === 'string' ? eventSchemaFor(type) : undefined;
    if (eventSchema) {
      return eventSchema(value)
        ? { kind: 'event', event: value as never }
        : { kind: 'invalid', errors: contractErrorsFromAjv(eventSchema.errors) };
    }
    return envelopeSchema(value)
      ? { kind: 'unknown_event', type: String(type), envelope: value as never }
      : { kind: 'invalid', errors: contractErrorsFromAjv(envelopeSchema.errors) };
  }

  for (const example of exampleFiles().filter((f) => f.kind !== 'expectations')) {
    it(`agrees with validateEvent on ${example.eventType}/${example.file}`, () => {
      const value = JSON.parse(readFileSync(example.path, 'utf8')) as unknown;
      const ours = validateEvent(value);
      const plain = plainVerdict(value);
      expect(plain.kind).toBe(ours.kind);
      if (ours.kind === 'invalid' && plain.kind === 'invalid') expect(plain.errors).toEqual(ours.errors);
    });
  }
});

describe('the generated OpenAPI document', () => {
  const openapi = readJson('openapi.json') as {
    openapi: string;
    webhooks: Record<string, { post: Record<string, unknown> }>;
    components: { schemas: Record<string, unknown> };
  };
  const post = openapi.webhooks['course_lesson_interaction.completed']?.post as {
    parameters: { in: string; name: string; required: boolean }[];
    requestBody: {
      content: { 'application/json': { schema: unknown; examples: Record<string, { value: unknown }> } };
    };
    responses: Record<string, unknown>;
  };

  it('is OpenAPI 3.1 with a webhooks entry for the event', () => {
    expect(openapi.openapi).toBe('3.1.0');
    expect(post).toBeDefined();
  });

  it('requires the three Standard Webhooks headers', () => {
    expect(post.parameters.map((p) => [p.in, p.name, p.required])).toEqual([
      ['header', 'webhook-id', true],
      ['header', 'webhook-timestamp', true],
      ['header', 'webhook-signature', true],
    ]);
  });

  it('describes the body with the same schema as the standalone JSON Schema file', () => {
    const body = post.requestBody.content['application/json'];
    expect(body.schema).toEqual({ $ref: '#/components/schemas/CourseLessonInteractionCompleted' });
    const standalone = readJson('schemas/course_lesson_interaction.completed.json');
    const { $schema, $comment, definitions, ...event } = standalone;
    const asComponents = (value: unknown) =>
      JSON.parse(JSON.stringify(value).replaceAll('#/definitions/', '#/components/schemas/')) as unknown;
    expect(openapi.components.schemas['CourseLessonInteractionCompleted']).toEqual(asComponents(event));
    expect(openapi.components.schemas['CourseLessonInteraction']).toEqual(
      asComponents((definitions as Record<string, unknown>)['CourseLessonInteraction']),
    );
  });

  it('carries the published examples unchanged', () => {
    const examples = post.requestBody.content['application/json'].examples;
    const folder = join(contractsDir, 'examples', 'course_lesson_interaction.completed');
    expect(examples['docs_page']?.value).toEqual(
      JSON.parse(readFileSync(join(folder, 'docs-page.json'), 'utf8')),
    );
    expect(examples['openapi']?.value).toEqual(
      JSON.parse(readFileSync(join(folder, 'openapi-example.json'), 'utf8')),
    );
  });

  it('documents the 200 answer and the 401 and 422 error answers', () => {
    expect(Object.keys(post.responses)).toEqual(['200', '401', '422']);
  });
});
