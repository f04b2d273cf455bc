// Lists and classifies the example payloads under contracts/examples/<event type>/ by file name,
// so the tests (and anyone else) agree on what each file is meant to be.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contractsDir } from './artefacts.js';

export const examplesDir = join(contractsDir, 'examples');

export type ExampleKind =
  | 'published' // docs-page.json, openapi-example.json: the sender's own examples, must be valid
  | 'valid' // valid.<what>.json: must validate as the folder's event
  | 'invalid' // invalid.<what>.json: must fail at the pointers listed in expectations.json
  | 'unknown' // unknown.<type>.json: a well-formed envelope of a type the contract does not know
  | 'expectations' // expectations.json
  | 'unclassified'; // anything else: the tests fail on it

export interface ExampleFile {
  /** The folder, named after the event type. */
  eventType: string;
  file: string;
  /** Absolute path. */
  path: string;
  kind: ExampleKind;
}

function classify(file: string): ExampleKind {
  if (file === 'docs-page.json' || file === 'openapi-example.json') return 'published';
  if (file === 'expectations.json') return 'expectations';
  if (/^valid\.[a-z0-9-]+\.json$/.test(file)) return 'valid';
  if (/^invalid\.[a-z0-9-]+\.json$/.test(file)) return 'invalid';
  if (/^unknown\.[a-z0-9_.-]+\.json$/.test(file)) return 'unknown';
  return 'unclassified';
}

/** Every file under contracts/examples/<event type>/, sorted. */
export function exampleFiles(): ExampleFile[] {
  const result: ExampleFile[] = [];
  for (const eventType of readdirSync(examplesDir).sort()) {
    for (const file of readdirSync(join(examplesDir, eventType)).sort()) {
      result.push({ eventType, file, path: join(examplesDir, eventType, file), kind: classify(file) });
    }
  }
  return result;
}

/** The parsed expectations.json of an event folder: invalid file name -> JSON pointers it must fail at. */
export function readExpectations(eventType: string): Record<string, string[]> {
  return JSON.parse(readFileSync(join(examplesDir, eventType, 'expectations.json'), 'utf8')) as Record<
    string,
    string[]
  >;
}

/** `unknown.payout.created.json` -> 'payout.created'. */
export function unknownExampleType(file: string): string {
  return file.slice('unknown.'.length, -'.json'.length);
}
