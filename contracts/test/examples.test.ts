// The compatibility gate: every committed example keeps its verdict. A schema change that rejects
// a valid example (breaking real senders) or accepts an invalid one (loosening the contract)
// fails here, naming the file.
import { readFileSync } from 'node:fs';
import { formatContractError, validateEvent } from '@webhook-contracts/schema';
import { describe, expect, it } from 'vitest';
import { exampleFiles, readExpectations, unknownExampleType } from '../scripts/exampleFiles.js';

const files = exampleFiles();
const eventTypes = [...new Set(files.map((f) => f.eventType))];

function parse(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

function describeResult(value: unknown): string {
  const result = validateEvent(value);
  return result.kind === 'invalid' ? result.errors.map(formatContractError).join('; ') : result.kind;
}

describe('the examples folder', () => {
  it('holds examples for at least one event', () => {
    expect(eventTypes).toContain('course_lesson_interaction.completed');
  });

  it('contains only files a test knows what to do with', () => {
    const unclassified = files
      .filter((f) => f.kind === 'unclassified')
      .map((f) => `${f.eventType}/${f.file}`);
    expect(
      unclassified,
      'name example files docs-page.json, openapi-example.json, valid.<what>.json, invalid.<what>.json (listed in expectations.json) or unknown.<type>.json',
    ).toEqual([]);
  });

  for (const eventType of eventTypes) {
    it(`${eventType}: expectations.json lists exactly the invalid.*.json files of its folder`, () => {
      const invalid = files
        .filter((f) => f.eventType === eventType && f.kind === 'invalid')
        .map((f) => f.file);
      expect(Object.keys(readExpectations(eventType)).sort()).toEqual(invalid.sort());
    });
  }
});

describe('valid and published examples', () => {
  for (const example of files.filter((f) => f.kind === 'valid' || f.kind === 'published')) {
    it(`${example.eventType}/${example.file} validates as a ${example.eventType} event`, () => {
      const value = parse(example.path);
      const result = validateEvent(value);
      expect(
        result.kind,
        `${example.file} is a committed valid example but the schema now rejects it (${describeResult(value)}): this breaks compatibility with the sender`,
      ).toBe('event');
      if (result.kind === 'event') expect(result.event.type).toBe(example.eventType);
    });
  }
});

describe('invalid examples', () => {
  for (const example of files.filter((f) => f.kind === 'invalid')) {
    it(`${example.eventType}/${example.file} fails at exactly the pointers in expectations.json`, () => {
      const expected = readExpectations(example.eventType)[example.file];
      expect(expected, `add "${example.file}" to expectations.json`).toBeDefined();
      const result = validateEvent(parse(example.path));
      expect(
        result.kind,
        `${example.file} is a committed invalid example but the schema now accepts it`,
      ).toBe('invalid');
      if (result.kind !== 'invalid') return;
      const pointers = [...new Set(result.errors.map((e) => e.pointer))].sort();
      expect(pointers, `${example.file} fails at other pointers than expectations.json says`).toEqual(
        [...(expected ?? [])].sort(),
      );
      for (const error of result.errors) expect(error.message).not.toBe('');
    });
  }
});

describe('unknown-type examples', () => {
  for (const example of files.filter((f) => f.kind === 'unknown')) {
    const type = unknownExampleType(example.file);
    it(`${example.eventType}/${example.file} is accepted as an unknown ${type} event, not rejected`, () => {
      const value = parse(example.path);
      const result = validateEvent(value);
      expect(result.kind, `${example.file}: ${describeResult(value)}`).toBe('unknown_event');
      if (result.kind === 'unknown_event') {
        expect(result.type).toBe(type);
        expect(result.envelope).toEqual(value);
      }
    });
  }
});
