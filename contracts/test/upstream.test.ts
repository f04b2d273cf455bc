// Holds the contract to the sender's published OpenAPI excerpt (vendored in
// contracts/schemas/upstream/): walk both schemas side by side and compare, field by field, the
// set of properties, which keys are required, the types (so nullability), formats and consts.
// Deliberate differences are listed in `deviations` with their reason; any other difference fails.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contractsDir } from '../scripts/artefacts.js';

type Schema = Record<string, unknown>;

function readJson(path: string): Schema {
  return JSON.parse(readFileSync(join(contractsDir, path), 'utf8')) as Schema;
}

/** Deliberate differences: pointer into the payload -> why. */
const deviations: Record<string, string> = {
  '/api_version_date is required upstream but optional here':
    'the docs page example (and older payloads) have no api_version_date key; the contract accepts both',
};

// Keywords that annotate or structure; anything else in our schema would be a constraint upstream lacks.
const allowedKeywords = new Set([
  '$schema',
  '$comment',
  '$ref',
  'definitions',
  'title',
  'description',
  'examples',
  'type',
  'format',
  'const',
  'properties',
  'required',
]);

function resolver(root: Schema, prefix: string) {
  return (schema: Schema): Schema => {
    const ref = schema['$ref'];
    if (typeof ref !== 'string') return schema;
    if (!ref.startsWith(prefix)) throw new Error(`unexpected $ref ${ref}`);
    const name = ref.slice(prefix.length);
    const container = (
      prefix === '#/definitions/' ? root['definitions'] : (root['components'] as Schema)['schemas']
    ) as Record<string, Schema> | undefined;
    const target = container?.[name];
    if (!target) throw new Error(`$ref ${ref} does not resolve`);
    return target;
  };
}

function typesOf(schema: Schema): string {
  const type = schema['type'];
  return (Array.isArray(type) ? [...type] : type === undefined ? [] : [type]).sort().join(' | ') || '(any)';
}

/** Every difference between the upstream schema and ours, as readable lines. */
function compareSchemas(
  upstream: Schema,
  ours: Schema,
  resolveUpstream: (s: Schema) => Schema,
  resolveOurs: (s: Schema) => Schema,
  pointer = '',
): string[] {
  const up = resolveUpstream(upstream);
  const our = resolveOurs(ours);
  const at = pointer === '' ? '(root)' : pointer;
  const differences: string[] = [];
  for (const key of Object.keys(our)) {
    if (!allowedKeywords.has(key)) differences.push(`${at} has keyword "${key}" that upstream lacks`);
  }
  if (typesOf(up) !== typesOf(our))
    differences.push(`${at} type is ${typesOf(our)}, upstream ${typesOf(up)}`);
  for (const keyword of ['format', 'const'] as const) {
    if (JSON.stringify(up[keyword]) !== JSON.stringify(our[keyword])) {
      differences.push(
        `${at} ${keyword} is ${JSON.stringify(our[keyword])}, upstream ${JSON.stringify(up[keyword])}`,
      );
    }
  }
  const upProps = (up['properties'] ?? {}) as Record<string, Schema>;
  const ourProps = (our['properties'] ?? {}) as Record<string, Schema>;
  const upRequired = new Set((up['required'] ?? []) as string[]);
  const ourRequired = new Set((our['required'] ?? []) as string[]);
  for (const name of new Set([...Object.keys(upProps), ...Object.keys(ourProps)])) {
    const child = `${pointer}/${name}`;
    const upChild = upProps[name];
    const ourChild = ourProps[name];
    if (!upChild) differences.push(`${child} is in our schema but not upstream`);
    else if (!ourChild) differences.push(`${child} is upstream but missing from our schema`);
    else differences.push(...compareSchemas(upChild, ourChild, resolveUpstream, resolveOurs, child));
    if (upRequired.has(name) && !ourRequired.has(name))
      differences.push(`${child} is required upstream but optional here`);
    if (!upRequired.has(name) && ourRequired.has(name))
      differences.push(`${child} is optional upstream but required here`);
  }
  return differences;
}

const upstreamDoc = readJson('schemas/upstream/whop-openapi-course_lesson_interaction.completed.json');
const upstreamEvent = (
  upstreamDoc['webhooks'] as Record<
    string,
    { post: { requestBody: { content: Record<string, { schema: Schema }> } } }
  >
)['course_lesson_interaction.completed']?.post.requestBody.content['application/json']?.schema as Schema;
const resolveUpstream = resolver(upstreamDoc, '#/components/schemas/');

const ourEvent = readJson('schemas/course_lesson_interaction.completed.json');
const resolveOurs = resolver(ourEvent, '#/definitions/');

describe('the contract against the sender’s published OpenAPI', () => {
  it('differs from the upstream event schema only by the listed deviations', () => {
    const differences = compareSchemas(upstreamEvent, ourEvent, resolveUpstream, resolveOurs);
    expect(differences, 'the contract drifted from the sender’s published schema').toEqual(
      Object.keys(deviations),
    );
  });

  it('keeps the generic envelope in line with upstream, apart from the open type and data', () => {
    // The generic envelope is the upstream event with any `type` string and any `data`.
    const upstreamEnvelope = structuredClone(upstreamEvent);
    const properties = upstreamEnvelope['properties'] as Record<string, Schema>;
    delete properties['type']?.['const'];
    properties['data'] = {};
    const envelope = readJson('schemas/envelope.json');
    const differences = compareSchemas(
      upstreamEnvelope,
      envelope,
      resolveUpstream,
      resolver(envelope, '#/definitions/'),
    );
    expect(differences).toEqual(Object.keys(deviations));
  });

  it('leaves no object closed anywhere upstream or here', () => {
    expect(JSON.stringify(upstreamEvent)).not.toContain('additionalProperties');
    expect(JSON.stringify(ourEvent)).not.toContain('additionalProperties');
  });
});

describe('compareSchemas', () => {
  // The walker itself must be able to fail, or the test above proves nothing.
  const flipped = (mutate: (copy: Schema) => void): Schema => {
    const copy = structuredClone(ourEvent);
    mutate(copy);
    return copy;
  };
  const definitions = (s: Schema) =>
    (s['definitions'] as Record<string, Schema>)['CourseLessonInteraction'] as Schema & {
      properties: Record<string, Schema & { properties: Record<string, Schema>; required: string[] }>;
    };

  it('reports a field that lost its nullability', () => {
    const changed = flipped((s) => {
      definitions(s).properties['user']!.properties['name']!['type'] = 'string';
    });
    expect(
      compareSchemas(upstreamEvent, changed, resolveUpstream, resolver(changed, '#/definitions/')),
    ).toContain('/data/user/name type is string, upstream null | string');
  });

  it('reports a required key made optional, a dropped format and an added constraint', () => {
    const changed = flipped((s) => {
      const data = definitions(s);
      data.properties['course']!.required = ['id', 'experience'];
      delete data.properties['created_at']!['format'];
      data.properties['id']!['pattern'] = '^crsli_';
    });
    const differences = compareSchemas(
      upstreamEvent,
      changed,
      resolveUpstream,
      resolver(changed, '#/definitions/'),
    );
    expect(differences).toEqual(
      expect.arrayContaining([
        '/data/course/title is required upstream but optional here',
        '/data/created_at format is undefined, upstream "date-time"',
        '/data/id has keyword "pattern" that upstream lacks',
      ]),
    );
  });

  it('reports a field upstream has and we lack', () => {
    const changed = flipped((s) => {
      delete definitions(s).properties['lesson']!.properties['chapter'];
    });
    expect(
      compareSchemas(upstreamEvent, changed, resolveUpstream, resolver(changed, '#/definitions/')),
    ).toContain('/data/lesson/chapter is upstream but missing from our schema');
  });
});
