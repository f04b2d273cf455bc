// The committed, generated JSON Schema loaded the way another team's CI would: plain Ajv 8 and
// ajv-formats, one file, no TypeBox and no code from packages/schema.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import { contractsDir } from '../../scripts/artefacts.js';

/** Compiles `contracts/schemas/<name>.json` with a fresh Ajv (allErrors) and the standard formats. */
export function compileGeneratedSchema(name: string): ValidateFunction {
  const ajv = new Ajv({ allErrors: true });
  ajvFormats.default(ajv);
  const schema = JSON.parse(readFileSync(join(contractsDir, 'schemas', `${name}.json`), 'utf8')) as object;
  return ajv.compile(schema);
}

/** Ajv's errors as `"<instancePath>: <message>"` lines, for assertion messages. */
export function describeAjvErrors(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'}: ${e.message ?? ''}`).join('; ');
}
