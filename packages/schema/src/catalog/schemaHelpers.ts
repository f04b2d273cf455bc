// Schema builders the generated catalog uses for the SDK's string-literal unions and nullable
// fields. They write the JSON Schema forms the sender's own documents use (`enum`, and `type` lists
// with 'null'), so Ajv reports one error per field ("must be equal to one of the allowed values")
// rather than one per union branch.
import {
  type SchemaOptions,
  type TNull,
  type TSchema,
  type TUnion,
  type TUnsafe,
  Type,
} from '@sinclair/typebox';

/**
 * A string that must be one of `values`.
 *
 * @example
 * const Status = StringEnum(['paid', 'open']); // Static: 'paid' | 'open'
 */
export function StringEnum<const Values extends readonly string[]>(
  values: Values,
  options: SchemaOptions = {},
): TUnsafe<Values[number]> {
  return Type.Unsafe<Values[number]>({ ...options, type: 'string', enum: [...values] });
}

/**
 * One of `values` or null.
 *
 * @example
 * const Reason = NullableStringEnum(['fraud', 'other']); // Static: 'fraud' | 'other' | null
 */
export function NullableStringEnum<const Values extends readonly string[]>(
  values: Values,
  options: SchemaOptions = {},
): TUnsafe<Values[number] | null> {
  return Type.Unsafe<Values[number] | null>({
    ...options,
    type: ['string', 'null'],
    enum: [...values, null],
  });
}

interface ScalarTypes {
  number: number;
  boolean: boolean;
}

/**
 * A number or boolean that may be null, written `type: [T, 'null']`.
 *
 * @example
 * const Amount = NullableScalar('number'); // Static: number | null
 */
export function NullableScalar<Kind extends keyof ScalarTypes>(
  kind: Kind,
  options: SchemaOptions = {},
): TUnsafe<ScalarTypes[Kind] | null> {
  return Type.Unsafe<ScalarTypes[Kind] | null>({ ...options, type: [kind, 'null'] });
}

/**
 * Any schema (typically a shared object or an array) or null.
 *
 * @example
 * const MaybePayment = Nullable(Payment); // Static: Payment | null
 */
export function Nullable<T extends TSchema>(schema: T, options: SchemaOptions = {}): TUnion<[T, TNull]> {
  return Type.Union([schema, Type.Null()], options);
}
