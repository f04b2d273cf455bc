// One error per broken rule, addressed by JSON pointer so a person (or a test) can find the field.
// Conventions:
// - `pointer` is an RFC 6901 JSON pointer into the payload; '' is the payload itself.
// - A missing key points at the key that should be there (`/data/user/name: is required`),
//   not at its parent object, so every error names the field to fix.
// - Messages are short and say what the value must be: `must be string`, `must be string or null`,
//   `must be "v1"`, `must be an RFC 3339 date-time, e.g. "2025-01-01T00:00:00.000Z"`.
// - Both strings are bounded (maxContractErrorTextLength): a pointer can name a key the sender made
//   200 KB long, and an error is echoed in answers, stored rows and logs.
import type { ErrorObject } from 'ajv';

export interface ContractError {
  /** JSON pointer to the offending value ('' = the whole payload). */
  pointer: string;
  /** What the value must be, e.g. 'must be string' or 'is required'. */
  message: string;
}

/**
 * Longest `pointer` or `message` of a contract error, in UTF-16 code units, before it is cut and
 * ends with `…`. Real pointers into the catalog are under 100 characters; a longer one names a key
 * or index the sender invented, and its first 256 characters are enough to find it.
 */
export const maxContractErrorTextLength = 256;

/**
 * `text` itself when it has at most `max` UTF-16 code units, else its first `max - 1` (never
 * splitting a surrogate pair) followed by `…`, so the result is at most `max` long.
 *
 * @example
 * boundText('/data/' + 'k'.repeat(300_000), 16); // '/data/kkkkkkkkk…'
 */
export function boundText(text: string, max: number = maxContractErrorTextLength): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/**
 * One line for logs and HTTP error details: `<pointer>: <message>`, with `(root)` for ''.
 *
 * @example
 * formatContractError({ pointer: '/data/user/username', message: 'must be string' });
 * // '/data/user/username: must be string'
 */
export function formatContractError(e: ContractError): string {
  return `${e.pointer === '' ? '(root)' : e.pointer}: ${e.message}`;
}

/**
 * A nullable object (`anyOf: [object, null]`) that fails makes Ajv report every branch and then
 * the anyOf. One error per field reads better: when a branch failed inside the value (a nested
 * key), keep those errors only; when every branch failed on the value's type, say so once
 * (`must be object or null`).
 */
function collapseAnyOf(errors: readonly ErrorObject[]): ErrorObject[] {
  if (!errors.some((e) => e.keyword === 'anyOf')) return [...errors];
  const dropped = new Set<ErrorObject>();
  const replacements = new Map<ErrorObject, ErrorObject>();
  errors.forEach((anyOf, index) => {
    if (anyOf.keyword !== 'anyOf') return;
    // Ajv reports a failed anyOf's branch errors right before it; through a $ref their schemaPath
    // leaves the anyOf's, so they are found by position and by lying at or under its value.
    const at = anyOf.instancePath;
    const branches: ErrorObject[] = [];
    for (let j = index - 1; j >= 0; j--) {
      const e = errors[j]!;
      if (e.instancePath !== at && !e.instancePath.startsWith(`${at}/`)) break;
      branches.unshift(e);
    }
    const inside = branches.filter((e) => e.instancePath !== anyOf.instancePath || e.keyword === 'required');
    if (inside.length > 0) {
      for (const e of branches) if (!inside.includes(e)) dropped.add(e);
      dropped.add(anyOf);
      return;
    }
    const types = branches.flatMap((e) => {
      if (e.keyword !== 'type') return [];
      const type = (e.params as { type?: unknown }).type;
      return Array.isArray(type) ? type.map(String) : [String(type)];
    });
    for (const e of branches) dropped.add(e);
    if (types.length === branches.length && types.length > 0) {
      replacements.set(anyOf, { ...anyOf, keyword: 'type', params: { type: [...new Set(types)] } });
    }
  });
  return errors.filter((e) => !dropped.has(e) || replacements.has(e)).map((e) => replacements.get(e) ?? e);
}

function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

const formatHints: Record<string, string> = {
  'date-time': 'must be an RFC 3339 date-time, e.g. "2025-01-01T00:00:00.000Z"',
};

function messageFor(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'type': {
      const types = Array.isArray(params['type']) ? params['type'] : [params['type']];
      return `must be ${types.join(' or ')}`;
    }
    case 'const':
      return `must be ${JSON.stringify(params['allowedValue'])}`;
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[] | undefined) ?? [];
      const shown = allowed.slice(0, 8).map((v) => JSON.stringify(v));
      const more = allowed.length > shown.length ? `, … (${allowed.length} values)` : '';
      return `must be one of ${shown.join(', ')}${more}`;
    }
    case 'format': {
      const format = String(params['format']);
      return formatHints[format] ?? `must match format "${format}"`;
    }
    default:
      return error.message ?? `fails the "${error.keyword}" rule`;
  }
}

/**
 * Turns Ajv's errors into contract errors (see the conventions at the top of this module), each
 * string at most maxContractErrorTextLength long.
 * Exported so other Ajv users, e.g. a test validating with the generated JSON Schema, report
 * errors the same way.
 *
 * @example
 * if (!validate(value)) return contractErrorsFromAjv(validate.errors);
 */
export function contractErrorsFromAjv(errors: readonly ErrorObject[] | null | undefined): ContractError[] {
  if (!errors || errors.length === 0) return [{ pointer: '', message: 'is invalid' }];
  const seen = new Set<string>();
  const result: ContractError[] = [];
  for (const error of collapseAnyOf(errors)) {
    const missing =
      error.keyword === 'required'
        ? (error.params as { missingProperty?: unknown }).missingProperty
        : undefined;
    const pointer = boundText(
      typeof missing === 'string'
        ? `${error.instancePath}/${escapePointerToken(missing)}`
        : error.instancePath,
    );
    const message = boundText(messageFor(error));
    const key = `${pointer}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push({ pointer, message });
  }
  return result;
}
