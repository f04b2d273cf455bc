import { type Static, Type } from '@sinclair/typebox';

/**
 * The body of every error answer of the receiver: `{ "error": { "code", "message", "details"? } }`.
 * A client acts on `code`; `message` is prose for a person. An off-contract delivery refused in
 * strict mode lists its first contract errors in `details` and says how many were found.
 */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({
        description: 'Stable machine-readable code',
        examples: ['no_matching_signature', 'contract_violation', 'invalid_query', 'event_not_found'],
      }),
      message: Type.String({ description: 'What was wrong and what to do' }),
      details: Type.Optional(
        Type.Array(Type.Unknown(), {
          description:
            'Structured detail: the contract errors (`{ pointer, message }`) of contract_violation, the parameter and problem (`{ parameter, problem }`) of invalid_query, the failed check (`{ check, failure }`) of /healthz',
        }),
      ),
      error_count: Type.Optional(
        Type.Integer({ minimum: 0, description: 'Contract errors found (details lists the first 20)' }),
      ),
      errors_truncated: Type.Optional(
        Type.Boolean({ description: 'details lists fewer contract errors than error_count' }),
      ),
    }),
  },
  { title: 'ErrorBody', description: 'The body of every error answer' },
);
export type ErrorBody = Static<typeof ErrorBody>;
