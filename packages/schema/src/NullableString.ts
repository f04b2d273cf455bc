// Nullable strings are written `type: ["string", "null"]`, the form the sender's OpenAPI uses,
// rather than TypeBox's `anyOf` union: Ajv then reports one error ("must be string or null")
// instead of one per branch, and the generated JSON Schema reads like the upstream one.
import { type TUnsafe, Type } from '@sinclair/typebox';

/** Annotations copied onto the schema (they flow into the generated JSON Schema and OpenAPI). */
export interface NullableStringOptions {
  description?: string;
  examples?: readonly (string | null)[];
  format?: string;
}

/**
 * A string schema that also accepts `null`.
 *
 * @example
 * const User = Type.Object({ name: NullableString({ description: 'Display name' }) });
 * type User = Static<typeof User>; // { name: string | null }
 */
export function NullableString(options: NullableStringOptions = {}): TUnsafe<string | null> {
  return Type.Unsafe<string | null>({ type: ['string', 'null'], ...options });
}
