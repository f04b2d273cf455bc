// The published examples are kept exactly as the sender published them: byte for byte for the
// docs page, value and key order for the OpenAPI example.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contractsDir } from '../scripts/artefacts.js';

const folder = join(contractsDir, 'examples', 'course_lesson_interaction.completed');
const upstreamDir = join(contractsDir, 'schemas', 'upstream');

/** The JSON object at the very start of the docs page text, byte for byte. */
function leadingJsonObject(text: string): string {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return text.slice(0, i + 1);
  }
  throw new Error('the docs page does not start with a complete JSON object');
}

describe('published examples', () => {
  it('docs-page.json is byte for byte the JSON object at the start of the docs page', () => {
    const page = readFileSync(join(upstreamDir, 'course_lesson_interaction.completed.docs-page.txt'), 'utf8');
    const expected = leadingJsonObject(page);
    expect(expected.startsWith('{\n"id": "msg_')).toBe(true);
    expect(readFileSync(join(folder, 'docs-page.json'), 'utf8')).toBe(expected);
  });

  it("openapi-example.json is the OpenAPI excerpt's requestBody example, keys in published order", () => {
    const upstream = JSON.parse(
      readFileSync(join(upstreamDir, 'whop-openapi-course_lesson_interaction.completed.json'), 'utf8'),
    ) as {
      webhooks: Record<string, { post: { requestBody: { content: Record<string, { example: unknown }> } } }>;
    };
    const example =
      upstream.webhooks['course_lesson_interaction.completed']?.post.requestBody.content['application/json']
        ?.example;
    const committed = readFileSync(join(folder, 'openapi-example.json'), 'utf8');
    expect(committed).toBe(`${JSON.stringify(example, null, 2)}\n`);
    expect(JSON.parse(committed)).toMatchObject({ api_version_date: null });
  });
});
