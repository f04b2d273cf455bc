// The compatibility gate in a form any validator can be plugged into: given a judge (our
// validateEvent, or another team's validator loaded with the generated JSON Schema), list every
// committed example whose verdict would change, by file name. test/examples.test.ts is the gate
// CI runs on validateEvent (verdicts and exact pointers); test/compat.test.ts shows this one
// catches breaking schema changes.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import { exampleFiles } from '../../scripts/exampleFiles.js';

/** Says whether a payload passes the contract under test. */
export type Judge = (value: unknown) => boolean;

/** Every committed example of `eventType` whose verdict under `judge` is not its committed one. */
export function compatibilityProblems(eventType: string, judge: Judge): string[] {
  const problems: string[] = [];
  for (const example of exampleFiles().filter((f) => f.eventType === eventType)) {
    if (example.kind !== 'valid' && example.kind !== 'published' && example.kind !== 'invalid') continue;
    const passes = judge(JSON.parse(readFileSync(example.path, 'utf8')) as unknown);
    if (example.kind === 'invalid' && passes) {
      problems.push(`${example.file} is a committed invalid example but the schema now accepts it`);
    } else if (example.kind !== 'invalid' && !passes) {
      problems.push(
        `${example.file} is a committed valid example but the schema now rejects it: this breaks compatibility with the sender`,
      );
    }
  }
  return problems;
}

/** A judge from a JSON Schema object under plain Ajv 8 + ajv-formats. */
export function ajvJudge(schema: object): Judge {
  const ajv = new Ajv({ allErrors: true });
  ajvFormats.default(ajv);
  const validate = ajv.compile(schema);
  return (value) => validate(value);
}
