// The one validator of send, replay and check options, for the CLI, the library and serve alike.
// Each schema is compiled once, on first use (a CLI start compiles only the one it needs); a
// problem names the field and says what it must be, in terms taken from the schema itself (its
// bounds and its `expected` note).
import type { TObject, TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler, type ValueError, ValueErrorType } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import {
  type Bounds,
  checkRequestSchema,
  fieldNotes,
  replayRequestSchema,
  sendRequestSchema,
} from './SendRequest.js';

export interface FieldProblem {
  /** The JSON field (serve's name; `optionName` turns it into a CLI flag). */
  field: string;
  message: string;
}

export class RequestValidator {
  private compiled: TypeCheck<TObject> | undefined;
  constructor(
    readonly schema: TObject,
    /** What the fields are options of, for the unknown-field message: `POST /send`. */
    private readonly what: string,
  ) {}

  private get check(): TypeCheck<TObject> {
    this.compiled ??= TypeCompiler.Compile(this.schema);
    return this.compiled;
  }

  /** Every field with a problem, once each, in the order the schema reports them. */
  problems(value: unknown): FieldProblem[] {
    if (this.check.Check(value)) return [];
    const byField = new Map<string, string>();
    for (const error of this.check.Errors(value)) {
      const field = error.path.split('/')[1] ?? '';
      if (!byField.has(field)) byField.set(field, this.describe(field, error));
    }
    return [...byField].map(([field, message]) => ({ field, message }));
  }

  private describe(field: string, error: ValueError): string {
    if (error.type === ValueErrorType.ObjectAdditionalProperties)
      return `is not an option of ${this.what} (known: ${Object.keys(this.schema.properties).join(', ')})`;
    const schema = this.schema.properties[field];
    if (schema === undefined) return error.message;
    if (error.type === ValueErrorType.ObjectRequiredProperty)
      return `is required: ${fieldNotes(schema).description}`;
    return problemWith(schema, error) ?? fieldNotes(schema).expected;
  }
}

/** A bound broken by a value of the right type, or undefined for a value of the wrong type. */
function problemWith(field: TSchema, error: ValueError, fieldSegments = 2): string | undefined {
  // A union inside the field (an entry of a list of literals) gets the field's `expected` note.
  if (error.type === ValueErrorType.Union && !Array.isArray(field['anyOf'])) return undefined;
  if (error.type === ValueErrorType.Union) {
    // The variant of the value's own kind says what is wrong with it (a list too long, a window
    // too small); a value of no variant's kind gets the field's `expected` note.
    const kind = Array.isArray(error.value) ? 'array' : typeof error.value;
    const variant = (field['anyOf'] as TSchema[]).find(
      (v) => v['type'] === kind || (kind === 'number' && v['type'] === 'integer'),
    );
    const inner = variant === undefined ? undefined : Value.Errors(variant, error.value).First();
    // The variant's errors have paths relative to the field's value ('' itself, '/0' an entry).
    return variant === undefined || inner === undefined ? undefined : problemWith(variant, inner, 1);
  }
  const nested = error.path.split('/').length > fieldSegments;
  const bound = boundBroken(error);
  if (bound === undefined) return undefined;
  return nested ? `entries ${bound}` : bound;
}

function boundBroken({ type, schema, value }: ValueError): string | undefined {
  switch (type) {
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.NumberExclusiveMinimum:
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.IntegerExclusiveMinimum: {
      const min = schema['minimum'] as number | undefined;
      const max = schema['maximum'] as number | undefined;
      const lower = min === undefined ? `> ${schema['exclusiveMinimum']}` : `≥ ${min}`;
      const range = max === undefined ? `must be ${lower}` : `must be from ${min ?? 0} to ${max}`;
      return `${range}, got ${value}`;
    }
    case ValueErrorType.ArrayMaxItems:
      return `must list at most ${schema['maxItems']}, got ${(value as unknown[]).length}`;
    case ValueErrorType.StringMaxLength:
      return `must be at most ${schema['maxLength']} characters, got ${(value as string).length}`;
    case ValueErrorType.ObjectMaxProperties:
      return `must hold at most ${schema['maxProperties']} entries`;
    default:
      return undefined;
  }
}

const validators = (bounds: Bounds) => ({
  send: new RequestValidator(sendRequestSchema(bounds), 'POST /send'),
  check: new RequestValidator(checkRequestSchema(bounds), 'POST /check'),
  replay: new RequestValidator(replayRequestSchema(bounds), 'POST /replay'),
});

/** Serve's requests: every field bounded. */
export const requestValidators = validators('serve');
/** The CLI's and the library's options: only what makes a value meaningful. */
export const optionValidators = validators('open');
